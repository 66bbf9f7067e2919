package dev.distil4j.model;

/**
 * The intermediate activations of one forward pass, allocated once and reused by every layer
 * (a layer's q/k/v, attention context, attention output and FFN hidden layer): 28 MB for
 * DistilBERT-base at 8 x 128 tokens, instead of that much per layer. One per forward call, so
 * concurrent forward calls never share one.
 */
final class Workspace {
    final float[] qkv;
    final float[] context;
    final float[] attentionOutput;
    final float[] ffnHidden;

    Workspace(ModelConfig c, int rows) {
        int h = c.hiddenSize();
        this.qkv = new float[rows * 3 * h];
        this.context = new float[rows * h];
        this.attentionOutput = new float[rows * h];
        this.ffnHidden = new float[rows * c.intermediateSize()];
    }
}
