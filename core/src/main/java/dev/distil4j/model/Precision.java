package dev.distil4j.model;

import dev.distil4j.kernels.WeightFormat;

/** The number format of the encoder's Linear weights. */
public enum Precision {
    /** Float32 weights, exactly as in the checkpoint: outputs match transformers to ~1e-5. The default. */
    FLOAT32,
    /**
     * Opt-in bfloat16 weights: every encoder Linear weight rounded to bfloat16 (8 significant bits,
     * nearest even) and widened back to float32 in registers; activations, accumulation, attention,
     * LayerNorm and the heads stay float32. Half the weight memory (DistilBERT-base encoder: 85 MB
     * instead of 170 MB). Measured on real weights: hidden states within cosine 0.99999 of
     * float32, fill-mask top-5 unchanged (docs/performance.md).
     */
    BF16_WEIGHTS,
    /**
     * Experimental weight-only int8: every encoder Linear weight rounded to int8 with one float
     * scale per output feature; everything else float32. A quarter of the weight memory (43 MB for
     * DistilBERT-base's encoder). Coarser than {@link #BF16_WEIGHTS}: hidden states within cosine
     * 0.996 (all-MiniLM-L6-v2) and 0.999 (a DistilBERT-base initialised from BERT), and fill-mask
     * top-5 lists can change order (docs/performance.md).
     */
    INT8_WEIGHTS;

    /** How the kernels store weights of this precision. */
    WeightFormat format() {
        return switch (this) {
            case FLOAT32 -> WeightFormat.FLOAT32;
            case BF16_WEIGHTS -> WeightFormat.BF16;
            case INT8_WEIGHTS -> WeightFormat.INT8;
        };
    }
}
