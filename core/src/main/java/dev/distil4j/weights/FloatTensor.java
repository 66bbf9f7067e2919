package dev.distil4j.weights;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A float32 tensor ready for compute: a read-only {@link FloatBuffer} over the checkpoint's bytes
 * (a view of the memory-mapped file for F32 data, a widened heap copy for F16/BF16), row-major.
 *
 * <p>The buffer is positioned at 0 with limit = numel; use absolute gets. It stays valid while
 * the {@link Weights} that produced it is open.
 */
public record FloatTensor(String name, long[] shape, FloatBuffer data) {
    public FloatTensor {
        shape = shape.clone();
        long n = 1;
        for (long d : shape) n *= d;
        if (n != data.limit()) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " needs " + n
                    + " floats, buffer has " + data.limit());
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return Math.toIntExact(shape[i]);
    }

    public int numel() {
        return data.limit();
    }

    public float get(int index) {
        return data.get(index);
    }

    /** A heap copy of all values. */
    public float[] toArray() {
        float[] out = new float[data.limit()];
        data.get(0, out);
        return out;
    }

    /** Copies row {@code r} of a 2-D tensor into {@code dst} at {@code off}. */
    public void copyRow(int r, float[] dst, int off) {
        int cols = dim(rank() - 1);
        data.get(r * cols, dst, off, cols);
    }
}
