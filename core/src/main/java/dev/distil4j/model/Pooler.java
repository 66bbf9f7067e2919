package dev.distil4j.model;

import dev.distil4j.kernels.Activation;
import dev.distil4j.kernels.Compute;
import dev.distil4j.weights.Parameters;

/** BERT's pooler: {@code tanh(dense(hidden[:, 0]))}. */
final class Pooler {
    final Linear dense;

    Pooler(Linear dense) {
        this.dense = dense;
    }

    /** The pooler when the checkpoint has one (transformers would initialise a missing one randomly; we omit it). */
    static Pooler loadIfPresent(ModelConfig c, Parameters p) {
        if (c.architecture() == Architecture.DISTILBERT || !p.has("pooler.dense.weight")) return null;
        return new Pooler(Linear.load(p, "pooler.dense", c.hiddenSize(), c.hiddenSize()));
    }

    /** hidden [batch * seq, dim] -> [batch, dim]. */
    float[] forward(Compute c, float[] hidden, int batch, int seq) {
        return dense.forward(c, firstTokens(hidden, batch, seq, dense.weight.cols()), batch, Activation.TANH, null);
    }

    /** The rows of the first token ([CLS] / {@code <s>}) of each sequence: [batch, dim]. */
    static float[] firstTokens(float[] hidden, int batch, int seq, int dim) {
        float[] first = new float[batch * dim];
        for (int b = 0; b < batch; b++) System.arraycopy(hidden, b * seq * dim, first, b * dim, dim);
        return first;
    }
}
