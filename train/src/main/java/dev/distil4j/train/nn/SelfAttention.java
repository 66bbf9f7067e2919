package dev.distil4j.train.nn;

import dev.distil4j.model.ModelInput;

/**
 * Multi-head self-attention with its output projection: {@code out_lin(softmax(q k^T / sqrt(d) + mask) v)},
 * attention dropout on the probabilities. q_lin, k_lin and v_lin run as one stacked product
 * ({@link Linear}); the core of the attention and its backward are
 * {@link dev.distil4j.kernels.AttentionTraining}'s.
 */
final class SelfAttention {
    final Linear qkv;      // q_lin | k_lin | v_lin
    final Linear out_lin;
    final int n_heads;
    final Dropout dropout; // on the attention probabilities
    private float[] qkvOut;
    private float[] probs;
    private byte[] keep;
    private int batch, seq;
    private boolean firstOnly;

    SelfAttention(Linear qkv, Linear outLin, int heads, Dropout dropout) {
        this.qkv = qkv;
        this.out_lin = outLin;
        this.n_heads = heads;
        this.dropout = dropout;
    }

    /**
     * x [batch * seq, dim] -> out_lin(attention(x)) [batch * seq, dim], or with {@code firstOnly}
     * each sequence's first row only [batch, dim]: every key and value is still needed, but out_lin
     * runs on those rows alone (the other queries' attention is a few percent of the layer, kept).
     */
    float[] forward(Ctx ctx, float[] x, ModelInput in, boolean keepActs, boolean firstOnly) {
        batch = in.batchSize();
        seq = in.seqLength();
        int rows = batch * seq, dim = out_lin.out, d = dim / n_heads;
        float[] q = qkv.forward(ctx, x, rows, keepActs);
        float[] p = ctx.floats(batch * n_heads * seq * seq);
        byte[] k = dropout.active(ctx) ? dropout.mask(ctx, p.length) : null;
        float[] context = ctx.floats(rows * dim);
        ctx.attention.forward(q, 0, dim, 2 * dim, 3 * dim, batch, seq, n_heads, d, in.attentionMask(),
                (float) Math.sqrt(d), p, k, 1f / (1f - dropout.p), context);
        if (keepActs) {
            qkvOut = q;
            probs = p;
            keep = k;
        }
        this.firstOnly = firstOnly;
        if (firstOnly) return out_lin.forward(ctx, ctx.firstRows(context, batch, seq, dim), batch, keepActs);
        return out_lin.forward(ctx, context, rows, keepActs);
    }

    /** dy (the forward's output shape) -> dx [batch * seq, dim]; accumulates the four Linears' gradients. */
    float[] backward(Ctx ctx, float[] dy) {
        int dim = out_lin.out, d = dim / n_heads;
        float[] dContext = out_lin.backward(ctx, dy, true);
        if (firstOnly) dContext = ctx.atFirstRows(dContext, batch, seq, dim);
        float[] dqkv = ctx.floats(batch * seq * 3 * dim);
        ctx.attention.backward(qkvOut, 0, dim, 2 * dim, 3 * dim, batch, seq, n_heads, d, (float) Math.sqrt(d),
                probs, keep, 1f / (1f - dropout.p), dContext, dqkv);
        qkvOut = null;
        probs = null;
        keep = null;
        return qkv.backward(ctx, dqkv, true);
    }
}
