package dev.distil4j.model;

/**
 * The intermediate activations of one forward pass, allocated once and reused by every layer
 * (a layer's q/k/v, attention context, attention output and FFN hidden layer): 28 MB for
 * DistilBERT-base at 8 x 128 tokens, instead of that much per layer. One forward call uses one at
 * a time, so concurrent forward calls never share one; the encoder keeps one spare between calls
 * ({@link Encoder}). Every value is written before it is read: a reused one needs no clearing.
 */
final class Workspace {
    /** The most rows a workspace is sized for. */
    final int rows;
    final float[] qkv;
    final float[] context;
    final float[] attentionOutput;
    final float[] ffnHidden;

    Workspace(ModelConfig c, int rows) {
        int h = c.hiddenSize();
        this.rows = rows;
        this.qkv = new float[rows * 3 * h];
        this.context = new float[rows * h];
        this.attentionOutput = new float[rows * h];
        this.ffnHidden = new float[rows * c.intermediateSize()];
    }

    /** Floats held. */
    long size() {
        return (long) qkv.length + context.length + attentionOutput.length + ffnHidden.length;
    }
}
