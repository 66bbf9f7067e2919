package dev.distil4j.model;

import java.util.Arrays;

/** A dense float32 array with its shape, row-major: what a forward pass returns. */
public record Tensor(int[] shape, float[] data) {
    public Tensor {
        shape = shape.clone();
        long n = 1;
        for (int d : shape) n *= d;
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i];
    }

    public int rank() {
        return shape.length;
    }

    /** The element at the given indices (as many as the rank). */
    public float get(int... idx) {
        if (idx.length != shape.length) throw new IllegalArgumentException("need " + shape.length + " indices");
        int off = 0;
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + idx[i] + " out of range for dimension " + i + " of size " + shape[i]);
            }
            off = off * shape[i] + idx[i];
        }
        return data[off];
    }

    /** Row {@code i} of the flattened [prod(shape[:-1]), shape[-1]] view, as a copy. */
    public float[] row(int i) {
        int w = shape[shape.length - 1];
        return Arrays.copyOfRange(data, i * w, (i + 1) * w);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
