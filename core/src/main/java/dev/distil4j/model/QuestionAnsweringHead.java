package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.weights.Parameters;

/** Extractive question answering: {@code qa_outputs(h)} split into start and end logits. */
record QuestionAnsweringHead(Linear qa_outputs) implements Head {

    static QuestionAnsweringHead load(ModelConfig c, Parameters p) {
        return new QuestionAnsweringHead(Linear.load(p, "qa_outputs", 2, c.hiddenSize()));
    }

    @Override
    public Logits forward(Compute c, float[] hidden, int batch, int seq) {
        float[] both = qa_outputs.forward(c, hidden, batch * seq);
        float[] start = new float[batch * seq], end = new float[batch * seq];
        for (int r = 0; r < batch * seq; r++) {
            start[r] = both[2 * r];
            end[r] = both[2 * r + 1];
        }
        int[] shape = {batch, seq};
        return new Logits(null, new Tensor(shape, start), new Tensor(shape, end));
    }
}
