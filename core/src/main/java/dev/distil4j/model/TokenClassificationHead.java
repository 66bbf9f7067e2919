package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.weights.Parameters;

/** Token classification: {@code classifier(h)} at every position. */
record TokenClassificationHead(Linear classifier) implements Head {

    static TokenClassificationHead load(ModelConfig c, Parameters p) {
        return new TokenClassificationHead(Linear.load(p, "classifier", c.numLabels(), c.hiddenSize()));
    }

    @Override
    public Logits forward(Compute c, float[] hidden, int batch, int seq) {
        float[] logits = classifier.forward(c, hidden, batch * seq);
        return new Logits(new Tensor(new int[] {batch, seq, classifier.out()}, logits), null, null);
    }
}
