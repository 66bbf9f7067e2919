package dev.distil4j.model;

import dev.distil4j.kernels.Compute;

/**
 * Scaled dot-product self-attention over {@code n_heads} heads:
 * {@code softmax(q k^T / sqrt(d) + mask) v}, then {@code out_lin}. Keys at padded positions get
 * the lowest float score, so they receive exactly zero weight (transformers does the same with
 * {@code torch.finfo(float32).min}).
 *
 * <p>q, k and v come from one product with the three weights stacked ({@code [3 * dim, dim]}),
 * which keeps both threads busy on short inputs. DistilBERT divides q by sqrt(d) before the
 * product, BERT divides the scores; both divide the scores here: identical when sqrt(d) is a power
 * of two (d = 64 in every base model), within an ulp otherwise.
 */
final class MultiHeadSelfAttention {
    final Linear q_lin;
    final Linear k_lin;
    final Linear v_lin;
    final Linear out_lin;
    final int n_heads;
    /** q, k, v weights stacked, and their biases. */
    final PackedWeights qkv;
    private final float[] qkvBias;

    MultiHeadSelfAttention(Linear q, Linear k, Linear v, Linear out, int heads) {
        this.q_lin = q;
        this.k_lin = k;
        this.v_lin = v;
        this.out_lin = out;
        this.n_heads = heads;
        this.qkv = new PackedWeights(q.weight, k.weight, v.weight);
        int dim = q.out();
        this.qkvBias = new float[3 * dim];
        System.arraycopy(q.bias, 0, qkvBias, 0, dim);
        System.arraycopy(k.bias, 0, qkvBias, dim, dim);
        System.arraycopy(v.bias, 0, qkvBias, 2 * dim, dim);
    }

    /**
     * @param x          [batch * seq, dim]
     * @param attentions when non-null, receives the probabilities [batch, heads, seq, seq]
     * @param residual   added to the output ([batch * seq, dim]), or null
     * @param ws         scratch arrays; the result is {@code ws.attentionOutput}
     * @return {@code out_lin(attention(x)) + residual}, [batch * seq, dim]
     */
    float[] forward(Compute c, float[] x, ModelInput in, float[] attentions, float[] residual, Workspace ws) {
        int batch = in.batchSize(), seq = in.seqLength(), rows = batch * seq;
        int dim = q_lin.out(), d = dim / n_heads;
        float[] qkvOut = ws.qkv; // [rows, 3 * dim]: q | k | v
        c.linear(x, rows, qkv.get(c), qkvBias, null, null, qkvOut);
        c.attention(qkvOut, 0, qkvOut, dim, qkvOut, 2 * dim, 3 * dim, batch, seq, n_heads, d,
                in.attentionMask(), (float) Math.sqrt(d), ws.context, attentions);
        return out_lin.forward(c, ws.context, rows, null, residual, ws.attentionOutput);
    }
}
