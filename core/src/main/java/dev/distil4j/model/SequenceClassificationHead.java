package dev.distil4j.model;

import dev.distil4j.kernels.Activation;
import dev.distil4j.kernels.Compute;
import dev.distil4j.weights.Parameters;

/**
 * Sequence classification on the first token: {@code out(act(dense(h[:, 0])))}.
 * DistilBERT: {@code pre_classifier}, ReLU, {@code classifier}; BERT: the pooler
 * ({@code pooler.dense}, tanh), {@code classifier}; RoBERTa: {@code classifier.dense}, tanh,
 * {@code classifier.out_proj}.
 */
record SequenceClassificationHead(Linear dense, Activation activation, Linear out) implements Head {

    static SequenceClassificationHead load(ModelConfig c, Parameters p) {
        int h = c.hiddenSize(), n = c.numLabels();
        return switch (c.architecture()) {
            case DISTILBERT -> new SequenceClassificationHead(Linear.load(p, "pre_classifier", h, h), Activation.RELU,
                    Linear.load(p, "classifier", n, h));
            case BERT -> new SequenceClassificationHead(Linear.load(p, "pooler.dense", h, h), Activation.TANH,
                    Linear.load(p, "classifier", n, h));
            case ROBERTA -> new SequenceClassificationHead(Linear.load(p, "classifier.dense", h, h), Activation.TANH,
                    Linear.load(p, "classifier.out_proj", n, h));
        };
    }

    @Override
    public Logits forward(Compute c, float[] hidden, int batch, int seq) {
        float[] x = dense.forward(c, Pooler.firstTokens(hidden, batch, seq, dense.weight.cols()), batch, activation, null);
        return new Logits(new Tensor(new int[] {batch, out.out()}, out.forward(c, x, batch)), null, null);
    }
}
