package dev.distil4j.train.nn;

import dev.distil4j.kernels.Activation;
import dev.distil4j.kernels.PackedMatrix;

/**
 * The masked-language-model head, {@code decoder(layer_norm(act(transform(h))))} with the decoder
 * weight tied to the word embeddings: both uses add to the one gradient of
 * {@code word_embeddings.weight}. DistilBERT: vocab_transform, vocab_layer_norm, vocab_projector;
 * BERT: cls.predictions.transform.dense / .LayerNorm, cls.predictions.bias; RoBERTa: lm_head.dense,
 * lm_head.layer_norm, lm_head.bias.
 */
final class MaskedLmHead implements Head {
    final Linear transform;
    final Activation activation;
    final LayerNorm layerNorm;
    final Param decoderWeight; // the word embeddings
    final Param decoderBias;
    private float[] preActivation;
    private float[] normed;
    private int rows;
    /** The decoder packed for the logits and for their input gradient, kept while it does not change. */
    private final PackCache decoderForward = new PackCache(), decoderBackward = new PackCache();

    MaskedLmHead(Linear transform, Activation activation, LayerNorm layerNorm, Param wordEmbeddings, Param bias) {
        this.transform = transform;
        this.activation = activation;
        this.layerNorm = layerNorm;
        this.decoderWeight = wordEmbeddings;
        this.decoderBias = bias;
    }

    int vocab() {
        return decoderBias.size();
    }

    @Override
    public float[] forward(Ctx ctx, float[] hidden, int batch, int seq, boolean keep) {
        rows = batch * seq;
        int dim = transform.out;
        float[] h = transform.forward(ctx, hidden, rows, keep);
        float[] a = ctx.copy(h);
        ctx.compute.activation(activation, a, a.length);
        float[] n = layerNorm.forward(ctx, a, rows, keep);
        float[] logits = ctx.floats(rows * vocab());
        PackedMatrix w = decoderForward.get(PackCache.versions(new Param[] {decoderWeight, decoderBias}),
                own -> ctx.gemm.packForNt(decoderWeight.data(), vocab(), dim, own));
        ctx.gemm.nt(n, rows, w, decoderBias.data(), logits);
        preActivation = keep ? h : null;
        normed = keep ? n : null;
        return logits;
    }

    @Override
    public float[] backward(Ctx ctx, float[] dLogits) {
        int dim = transform.out, v = vocab();
        float[] dn = ctx.floats(rows * dim);
        PackedMatrix w = decoderBackward.get(PackCache.versions(new Param[] {decoderWeight, decoderBias}),
                own -> ctx.gemm.packForNn(decoderWeight.data(), v, dim, own));
        ctx.gemm.nn(dLogits, rows, w, dn);
        if (decoderWeight.trainable()) ctx.gemm.tnAdd(dLogits, rows, v, normed, dim, decoderWeight.grad());
        if (decoderBias.trainable()) ctx.gemm.columnSumsAdd(dLogits, rows, v, decoderBias.grad());
        float[] da = layerNorm.backward(ctx, dn), h = preActivation;
        ctx.compute.parallel(da.length, 8192, (a, b) -> ctx.kernels.activationBackward(activation, h, da, da, a, b - a));
        preActivation = null;
        normed = null;
        return transform.backward(ctx, da, true);
    }

    @Override
    public int[] logitsShape(int batch, int seq) {
        return new int[] {batch, seq, vocab()};
    }
}
