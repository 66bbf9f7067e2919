package dev.distil4j.train.nn;

import dev.distil4j.kernels.AttentionTraining;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Gemm;
import dev.distil4j.kernels.Kernels;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every block's forward and backward run on: the threads and kernels, the training products,
 * the mode of the current pass (training applies dropout drawn from {@link #seed}), and the arrays
 * of the current step.
 *
 * <p>A step allocates the same arrays as the step before (hundreds of MB of activations and their
 * gradients): they are taken from the previous step's ({@link #floats}), and all of them are handed
 * back at once when the next step begins ({@link #recycle}). Only the last step's arrays are kept,
 * so memory stays bounded when shapes change. One per model; one pass at a time.
 */
final class Ctx {
    final Compute compute;
    final Kernels kernels;
    final Gemm gemm;
    final AttentionTraining attention;
    boolean training;
    long seed;

    private Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private Map<Integer, ArrayDeque<byte[]>> freeBytes = new HashMap<>();
    private final List<float[]> usedFloats = new ArrayList<>();
    private final List<byte[]> usedBytes = new ArrayList<>();
    private long lastShape = -1;

    Ctx(Compute compute) {
        this.compute = compute;
        this.kernels = compute.kernels();
        this.gemm = new Gemm(compute);
        this.attention = new AttentionTraining(compute);
    }

    /** An array of this step, contents undefined: for results that overwrite every value. */
    float[] floats(int n) {
        ArrayDeque<float[]> q = freeFloats.get(n);
        float[] a = q == null || q.isEmpty() ? new float[n] : q.pop();
        usedFloats.add(a);
        return a;
    }

    /** An array of this step, zeroed. */
    float[] zeros(int n) {
        float[] a = floats(n);
        compute.parallel(n, 65536, (from, to) -> Arrays.fill(a, from, to, 0f));
        return a;
    }

    /** A copy of {@code x} in an array of this step. */
    float[] copy(float[] x) {
        float[] a = floats(x.length);
        compute.parallel(x.length, 65536, (from, to) -> System.arraycopy(x, from, a, from, to - from));
        return a;
    }

    /** A byte array of this step, contents undefined. */
    byte[] bytes(int n) {
        ArrayDeque<byte[]> q = freeBytes.get(n);
        byte[] a = q == null || q.isEmpty() ? new byte[n] : q.pop();
        usedBytes.add(a);
        return a;
    }

    /**
     * A new step over inputs of {@code shape}: every array of the last step is free again, older
     * unused ones go to the collector. A step of another shape would need other sizes: then the
     * last step's arrays go too, before this step allocates its own (else both sets would be live).
     */
    void recycle(long shape) {
        boolean same = shape == lastShape;
        lastShape = shape;
        freeFloats = new HashMap<>();
        freeBytes = new HashMap<>();
        if (same) {
            for (float[] a : usedFloats) freeFloats.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            for (byte[] a : usedBytes) freeBytes.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        }
        usedFloats.clear();
        usedBytes.clear();
    }

    /** {@code y[i] += x[i]} for {@code i < len}, in parallel. */
    void add(float[] x, float[] y, int len) {
        compute.parallel(len, 8192, (a, b) -> kernels.axpy(1f, x, a, y, a, b - a));
    }
}
