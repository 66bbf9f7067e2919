package dev.distil4j.weights;

import java.util.Arrays;

/**
 * What a checkpoint declares about one tensor, before any data is read.
 *
 * @param name  the key in the checkpoint, exactly as stored (prefix included)
 * @param dtype element type in the file
 * @param shape dimensions, outermost first (HF layout: a Linear weight is [out, in])
 */
public record TensorInfo(String name, DType dtype, long[] shape) {
    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Number of elements (1 for a scalar).
     *
     * @throws ArithmeticException when the count does not fit in a long; the readers refuse such shapes
     *                             ({@link #numelExact}), so it never wraps around to a small number
     */
    public long numel() {
        long n = numelExact(shape);
        if (n < 0) throw new ArithmeticException(name + ": " + shapeString() + " has more elements than a long counts");
        return n;
    }

    /**
     * The element count of {@code shape} in exact arithmetic, or -1 when a dimension is negative or
     * the product of the non-zero dimensions overflows a long. (Ignoring zeros while checking keeps the
     * answer independent of the order of the dimensions, and every partial product exact.)
     */
    public static long numelExact(long[] shape) {
        long n = 1;
        boolean empty = false;
        for (long d : shape) {
            if (d < 0) return -1;
            if (d == 0) {
                empty = true;
                continue;
            }
            if (n > Long.MAX_VALUE / d) return -1;
            n *= d;
        }
        return empty ? 0 : n;
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + dtype.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString();
    }
}
