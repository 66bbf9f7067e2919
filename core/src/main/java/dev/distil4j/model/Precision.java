package dev.distil4j.model;

/** The number format of the encoder's Linear weights. */
public enum Precision {
    /** Float32 weights, exactly as in the checkpoint: outputs match transformers to ~1e-5. The default. */
    FLOAT32,
    /**
     * Opt-in bfloat16 weights: every encoder Linear weight rounded to bfloat16 (8 significant bits),
     * widened back to float32 in registers; everything else float32. Half the weight memory
     * (DistilBERT-base encoder: 85 MB instead of 170 MB).
     */
    BF16_WEIGHTS,
    /**
     * Opt-in weight-only int8: every encoder Linear weight rounded to int8 with one float scale per
     * output feature; activations, accumulation, attention, LayerNorm and the heads stay float32.
     * A quarter of the weight memory (DistilBERT-base encoder: 43 MB instead of 170 MB), so faster
     * where weight traffic bounds the speed (short inputs); hidden states within cosine 0.999 of
     * float32 (see docs/performance.md for the measured error).
     */
    INT8_WEIGHTS
}
