package dev.distil4j.train.nn;

import dev.distil4j.model.ModelInput;

/**
 * One post-LayerNorm transformer layer, in DistilBERT's names:
 * <pre>
 *   sa_output = sa_layer_norm(dropout_sa(attention(x)) + x)          (DistilBERT: no dropout_sa)
 *   output    = output_layer_norm(dropout_ffn(ffn(sa_output)) + sa_output)
 * </pre>
 * BERT and RoBERTa are the same computation with other names. With {@link #checkpointed}, the
 * forward keeps only its input and the backward runs the forward again first (activation
 * recomputation: one more forward per layer for a fraction of the memory).
 */
final class TransformerLayer {
    final SelfAttention attention;
    final Dropout saDropout;     // p 0 for DistilBERT
    final LayerNorm sa_layer_norm;
    final FeedForward ffn;
    final Dropout ffnDropout;
    final LayerNorm output_layer_norm;
    boolean checkpointed;
    private float[] input;
    private ModelInput batch;
    private boolean firstOnly;

    TransformerLayer(SelfAttention attention, Dropout saDropout, LayerNorm saLayerNorm, FeedForward ffn,
                     Dropout ffnDropout, LayerNorm outputLayerNorm) {
        this.attention = attention;
        this.saDropout = saDropout;
        this.sa_layer_norm = saLayerNorm;
        this.ffn = ffn;
        this.ffnDropout = ffnDropout;
        this.output_layer_norm = outputLayerNorm;
    }

    /**
     * x [batch * seq, dim] -> the layer's output (a new array; x is not changed), [batch * seq, dim],
     * or with {@code firstOnly} each sequence's first row only, [batch, dim]: what a classification
     * head reads of the last layer (the other rows' out_lin and FFN, three quarters of the layer, skipped).
     */
    float[] forward(Ctx ctx, float[] x, ModelInput in, boolean keep, boolean firstOnly) {
        int batchSize = in.batchSize(), seq = in.seqLength(), rows = firstOnly ? batchSize : batchSize * seq;
        boolean keepActs = keep && !checkpointed;
        float[] a = attention.forward(ctx, x, in, keepActs, firstOnly);
        saDropout.forward(ctx, a, a.length);
        ctx.add(firstOnly ? ctx.firstRows(x, batchSize, seq, sa_layer_norm.dim()) : x, a, a.length);
        float[] sa = sa_layer_norm.forward(ctx, a, rows, keepActs);
        float[] f = ffn.forward(ctx, sa, rows, keepActs);
        ffnDropout.forward(ctx, f, f.length);
        ctx.add(sa, f, f.length);
        float[] out = output_layer_norm.forward(ctx, f, rows, keepActs);
        this.input = keep ? x : null;
        this.batch = keep ? in : null;
        this.firstOnly = firstOnly;
        return out;
    }

    /** dy (the forward's output shape) -> dx [batch * seq, dim]; accumulates every parameter's gradient. */
    float[] backward(Ctx ctx, float[] dy) {
        if (input == null) throw new IllegalStateException("TransformerLayer.backward without a training forward");
        if (checkpointed) {
            checkpointed = false;
            try {
                forward(ctx, input, batch, true, firstOnly); // the same masks: they depend only on the step seed
            } finally {
                checkpointed = true;
            }
        }
        float[] dz2 = output_layer_norm.backward(ctx, dy);   // d(ffn + sa)
        float[] dsa = ctx.copy(dz2);                            // the residual's share
        ffnDropout.backward(ctx, dz2, dz2.length);
        ctx.add(ffn.backward(ctx, dz2), dsa, dsa.length);
        float[] dz1 = sa_layer_norm.backward(ctx, dsa);      // d(attention + x)
        float[] dx = firstOnly ? ctx.atFirstRows(dz1, batch.batchSize(), batch.seqLength(), sa_layer_norm.dim()) : ctx.copy(dz1);
        saDropout.backward(ctx, dz1, dz1.length);
        ctx.add(attention.backward(ctx, dz1), dx, dx.length);
        input = null;
        batch = null;
        return dx;
    }
}
