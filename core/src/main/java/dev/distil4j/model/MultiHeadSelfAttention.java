package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;

/**
 * Scaled dot-product self-attention over {@code n_heads} heads:
 * {@code softmax(q k^T / sqrt(d) + mask) v}, then {@code out_lin}. Keys at padded positions get
 * the lowest float score, so they receive exactly zero weight (transformers does the same with
 * {@code torch.finfo(float32).min}).
 */
final class MultiHeadSelfAttention {
    final Linear q_lin;
    final Linear k_lin;
    final Linear v_lin;
    final Linear out_lin;
    final int n_heads;
    /** DistilBERT divides q by sqrt(d) before the product; BERT divides the scores. Kept, for the last bit. */
    final boolean scaleQuery;

    MultiHeadSelfAttention(Linear q, Linear k, Linear v, Linear out, int heads, boolean scaleQuery) {
        this.q_lin = q;
        this.k_lin = k;
        this.v_lin = v;
        this.out_lin = out;
        this.n_heads = heads;
        this.scaleQuery = scaleQuery;
    }

    /**
     * @param x          [batch * seq, dim]
     * @param attentions when non-null, receives the probabilities [batch, heads, seq, seq]
     * @return [batch * seq, dim], after {@code out_lin}
     */
    float[] forward(Compute c, float[] x, ModelInput in, float[] attentions) {
        int batch = in.batchSize(), seq = in.seqLength(), rows = batch * seq;
        int dim = q_lin.out(), d = dim / n_heads;
        float[] q = q_lin.forward(c, x, rows);
        float[] k = k_lin.forward(c, x, rows);
        float[] v = v_lin.forward(c, x, rows);
        float scale = (float) Math.sqrt(d);
        if (scaleQuery) {
            for (int i = 0; i < q.length; i++) q[i] /= scale;
        }
        float[] context = new float[rows * dim];
        Kernels kn = c.kernels();
        c.parallel(batch * n_heads, 1, (from, to) -> {
            float[] scores = new float[seq];
            for (int bh = from; bh < to; bh++) {
                int b = bh / n_heads, h = bh % n_heads, base = b * seq;
                for (int i = 0; i < seq; i++) {
                    int qo = (base + i) * dim + h * d;
                    for (int j = 0; j < seq; j++) {
                        if (in.mask(b, j) == 0) {
                            scores[j] = -Float.MAX_VALUE;
                        } else {
                            float s = kn.dot(q, qo, k, (base + j) * dim + h * d, d);
                            scores[j] = scaleQuery ? s : s / scale;
                        }
                    }
                    kn.softmax(scores, 0, seq);
                    if (attentions != null) System.arraycopy(scores, 0, attentions, ((bh * seq) + i) * seq, seq);
                    for (int j = 0; j < seq; j++) {
                        if (scores[j] != 0f) kn.axpy(scores[j], v, (base + j) * dim + h * d, context, qo, d);
                    }
                }
            }
        });
        return out_lin.forward(c, context, rows);
    }
}
