package dev.distil4j.kernels;

import java.nio.FloatBuffer;

/**
 * A Linear layer's weight, [rows = out features, cols = in features] row-major as Hugging Face
 * stores it, over the checkpoint's buffer (for F32 checkpoints, the memory-mapped file itself).
 */
public record WeightMatrix(FloatBuffer data, int rows, int cols) {
    public WeightMatrix {
        if ((long) rows * cols != data.limit()) {
            throw new IllegalArgumentException("weight buffer holds " + data.limit() + " floats, not " + rows + "x" + cols);
        }
    }

    /** Copies rows {@code [r0, r0 + count)} into {@code dst} (row-major, from offset 0). */
    public void copyRows(int r0, int count, float[] dst) {
        data.get(r0 * cols, dst, 0, count * cols);
    }
}
