package dev.distil4j.train.nn;

/** A task head over the encoder's last hidden state, with its backward. */
interface Head {
    /** hidden [batch * seq, dim] -> logits ({@link #logitsShape}). */
    float[] forward(Ctx ctx, float[] hidden, int batch, int seq, boolean keep);

    /** dLogits -> dHidden [batch * seq, dim]; accumulates the head's gradients. */
    float[] backward(Ctx ctx, float[] dLogits);

    /**
     * Whether the logits depend on each sequence's first token only: then the last layer computes
     * only those rows and {@link #forward} gets them as [batch, dim] (seq 1).
     */
    default boolean readsFirstTokenOnly() {
        return false;
    }

    /** The logits' shape: [batch, labels], [batch, seq, labels], [batch, seq, 2] (QA: start, end) or [batch, seq, vocab]. */
    int[] logitsShape(int batch, int seq);
}
