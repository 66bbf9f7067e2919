package dev.distil4j.train.nn;

import dev.distil4j.model.ModelInput;

/**
 * {@code LayerNorm(word_embeddings[id] + token_type_embeddings[type] + position_embeddings[pos])},
 * then dropout. The backward adds each row's gradient to the rows of the ids it came from; rows of
 * an embedding built with {@code padding_idx} (word embeddings of all three families; RoBERTa's
 * position embeddings) receive none, as in {@code nn.Embedding}.
 *
 * <p>Position ids: 0, 1, 2, ... for BERT and DistilBERT; RoBERTa counts only non-pad tokens from
 * {@code padding_idx + 1} and gives pads {@code padding_idx}.
 */
final class Embeddings {
    final Param word_embeddings;
    final Param position_embeddings;
    final Param token_type_embeddings; // null for DistilBERT
    final LayerNorm LayerNorm;
    final Dropout dropout;
    private final boolean roberta;
    private final int padTokenId;
    private ModelInput input;

    Embeddings(Param word, Param position, Param tokenType, LayerNorm norm, Dropout dropout, boolean roberta, int padTokenId) {
        this.word_embeddings = word;
        this.position_embeddings = position;
        this.token_type_embeddings = tokenType;
        this.LayerNorm = norm;
        this.dropout = dropout;
        this.roberta = roberta;
        this.padTokenId = padTokenId;
    }

    int dim() {
        return word_embeddings.shape()[1];
    }

    /** Position id of every token, [batch][seq]. */
    int[][] positions(ModelInput in) {
        int batch = in.batchSize(), seq = in.seqLength();
        int[][] pos = new int[batch][seq];
        for (int b = 0; b < batch; b++) {
            int nonPad = 0;
            for (int i = 0; i < seq; i++) {
                int id = in.inputIds()[b][i];
                pos[b][i] = !roberta ? i : id == padTokenId ? padTokenId : padTokenId + 1 + nonPad++;
            }
        }
        return pos;
    }

    /** [batch * seq, dim]. */
    float[] forward(Ctx ctx, ModelInput in, boolean keep) {
        int batch = in.batchSize(), seq = in.seqLength(), h = dim();
        int vocab = word_embeddings.shape()[0], maxPos = position_embeddings.shape()[0];
        int types = token_type_embeddings == null ? 0 : token_type_embeddings.shape()[0];
        int[][] pos = positions(in);
        float[] x = ctx.floats(batch * seq * h);
        float[] word = word_embeddings.data(), position = position_embeddings.data();
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                int id = in.inputIds()[b][i], p = pos[b][i], o = (b * seq + i) * h;
                check(id, vocab, "input id", b, i);
                check(p, maxPos, "position", b, i);
                System.arraycopy(word, id * h, x, o, h);
                // the same addition order as transformers: (word + token_type) + position
                if (token_type_embeddings != null) {
                    int t = in.tokenType(b, i);
                    check(t, types, "token type id", b, i);
                    float[] tt = token_type_embeddings.data();
                    for (int c = 0; c < h; c++) x[o + c] += tt[t * h + c];
                }
                for (int c = 0; c < h; c++) x[o + c] += position[p * h + c];
            }
        }
        float[] y = LayerNorm.forward(ctx, x, batch * seq, keep);
        dropout.forward(ctx, y, y.length);
        this.input = keep ? in : null;
        return y;
    }

    private static void check(int v, int size, String what, int b, int i) {
        if (v < 0 || v >= size) {
            throw new IllegalArgumentException(what + " " + v + " at [" + b + "][" + i + "] is outside [0, " + size + ")");
        }
    }

    /** dy [batch * seq, dim]: accumulates the tables' gradients. */
    void backward(Ctx ctx, float[] dy) {
        ModelInput in = input;
        if (in == null) throw new IllegalStateException("Embeddings.backward without a training forward");
        dropout.backward(ctx, dy, dy.length);
        float[] dx = LayerNorm.backward(ctx, dy);
        int batch = in.batchSize(), seq = in.seqLength(), h = dim();
        int[][] pos = positions(in);
        float[] dWord = word_embeddings.grad(), dPos = position_embeddings.grad();
        float[] dType = token_type_embeddings == null ? null : token_type_embeddings.grad();
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                int id = in.inputIds()[b][i], p = pos[b][i], o = (b * seq + i) * h;
                if (dWord != null && id != padTokenId) ctx.kernels.axpy(1f, dx, o, dWord, id * h, h);
                if (dPos != null && !(roberta && p == padTokenId)) ctx.kernels.axpy(1f, dx, o, dPos, p * h, h);
                if (dType != null) ctx.kernels.axpy(1f, dx, o, dType, in.tokenType(b, i) * h, h);
            }
        }
        input = null;
    }
}
