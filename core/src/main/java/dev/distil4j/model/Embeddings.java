package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.Parameters;

import java.nio.FloatBuffer;

/**
 * {@code word_embeddings + position_embeddings (+ token_type_embeddings)}, then LayerNorm
 * (dropout is the identity at inference).
 *
 * <p>Position ids: 0, 1, 2, ... for BERT and DistilBERT; for RoBERTa, {@code padding_idx + 1 + i}
 * counting only non-pad tokens ({@code input_ids != padding_idx}), and {@code padding_idx} on pads.
 */
final class Embeddings {
    final FloatTensor word_embeddings;
    final FloatTensor position_embeddings;
    final FloatTensor token_type_embeddings; // null for DistilBERT
    final LayerNorm LayerNorm;
    private final ModelConfig config;

    private Embeddings(ModelConfig config, FloatTensor word, FloatTensor position, FloatTensor tokenType, LayerNorm norm) {
        this.config = config;
        this.word_embeddings = word;
        this.position_embeddings = position;
        this.token_type_embeddings = tokenType;
        this.LayerNorm = norm;
    }

    static Embeddings load(ModelConfig c, Parameters p) {
        int h = c.hiddenSize();
        FloatTensor word = p.tensor("embeddings.word_embeddings.weight", c.vocabSize(), h);
        FloatTensor position;
        if (c.sinusoidalPosEmbds() && !p.has("embeddings.position_embeddings.weight")) {
            position = sinusoids(c.maxPositionEmbeddings(), h);
        } else {
            position = p.tensor("embeddings.position_embeddings.weight", c.maxPositionEmbeddings(), h);
        }
        FloatTensor tokenType = c.architecture() == Architecture.DISTILBERT ? null
                : p.tensor("embeddings.token_type_embeddings.weight", c.typeVocabSize(), h);
        return new Embeddings(c, word, position, tokenType,
                dev.distil4j.model.LayerNorm.load(p, "embeddings.LayerNorm", h, c.layerNormEps()));
    }

    /** DistilBERT's fixed table: sin on even columns, cos on odd, of pos / 10000^(2*(j/2)/dim), as float64 then float32. */
    static FloatTensor sinusoids(int positions, int dim) {
        if ((long) positions * dim > Integer.MAX_VALUE - 8) { // the sizes come from config.json
            throw new ConfigException("max_position_embeddings " + positions + " x dim " + dim
                    + " is too large for DistilBERT's sinusoidal position table");
        }
        float[] t = new float[positions * dim];
        for (int pos = 0; pos < positions; pos++) {
            for (int j = 0; j < dim; j++) {
                double angle = pos / Math.pow(10000, 2.0 * (j / 2) / dim);
                t[pos * dim + j] = (float) (j % 2 == 0 ? Math.sin(angle) : Math.cos(angle));
            }
        }
        return new FloatTensor("embeddings.position_embeddings.weight", new long[] {positions, dim}, FloatBuffer.wrap(t));
    }

    /** [batch * seq, hidden]. */
    float[] forward(Compute c, ModelInput in) {
        int batch = in.batchSize(), seq = in.seqLength(), h = config.hiddenSize();
        float[] x = new float[batch * seq * h];
        float[] row = new float[h];
        boolean roberta = config.architecture() == Architecture.ROBERTA;
        int pad = config.padTokenId();
        for (int b = 0; b < batch; b++) {
            int nonPad = 0;
            for (int i = 0; i < seq; i++) {
                int id = in.inputIds()[b][i];
                int pos = i;
                if (roberta) pos = id == pad ? pad : pad + 1 + nonPad++;
                int o = (b * seq + i) * h;
                word_embeddings.copyRow(id, x, o);
                // same addition order as transformers: (word + token_type) + position
                if (token_type_embeddings != null) {
                    token_type_embeddings.copyRow(in.tokenType(b, i), row, 0);
                    addRow(x, o, row);
                }
                position_embeddings.copyRow(pos, row, 0);
                addRow(x, o, row);
            }
        }
        LayerNorm.forward(c, x, batch * seq);
        return x;
    }

    private static void addRow(float[] x, int o, float[] row) {
        for (int j = 0; j < row.length; j++) x[o + j] += row[j];
    }
}
