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
 * <p>Arrays: a step needs the same arrays as the step before (hundreds of MB of activations and
 * their gradients), so they are reused instead of allocated. Each array handed out
 * ({@link #floats}) belongs to the open {@link Scope} (a block's forward, a layer's backward);
 * {@link #release} returns a scope's arrays as soon as they are dead (a layer's activations once
 * its backward has run, a backward's temporaries), so that the step's peak is what the graph
 * needs, not the sum of everything it touched. {@link #recycle} starts a step: everything is free
 * again; when the input shape changes, the old arrays go to the collector instead.
 * One per model; one pass at a time.
 */
final class Ctx {
    final Compute compute;
    final Kernels kernels;
    final Gemm gemm;
    final AttentionTraining attention;
    boolean training;
    long seed;

    /** The arrays handed out while it was open and not released yet. */
    static final class Scope {
        private final List<float[]> floats = new ArrayList<>();
        private final List<byte[]> bytes = new ArrayList<>();
        private final Scope parent;

        private Scope(Scope parent) {
            this.parent = parent;
        }
    }

    private final Map<Integer, ArrayDeque<float[]>> freeFloats = new HashMap<>();
    private final Map<Integer, ArrayDeque<byte[]>> freeBytes = new HashMap<>();
    /** Every scope of this step that may still own arrays. */
    private final List<Scope> scopes = new ArrayList<>();
    private Scope current;
    private long lastShape = -1;

    Ctx(Compute compute) {
        this.compute = compute;
        this.kernels = compute.kernels();
        this.gemm = new Gemm(compute);
        this.attention = new AttentionTraining(compute);
        this.current = new Scope(null);
        scopes.add(current);
    }

    /** Opens a scope inside the current one: arrays handed out from now on belong to it. */
    Scope open() {
        current = new Scope(current);
        scopes.add(current);
        return current;
    }

    /** Closes {@code s} (its arrays stay live, owned by it, until released). */
    void close(Scope s) {
        if (current != s) throw new IllegalStateException("scopes must close innermost first");
        current = s.parent;
    }

    /** Every array of {@code s} is dead except {@code keep} (may be null), which stays owned by {@code s}. */
    void release(Scope s, float[] keep) {
        boolean kept = false;
        for (float[] a : s.floats) {
            if (a == keep) kept = true; else free(a);
        }
        for (byte[] b : s.bytes) freeBytes.computeIfAbsent(b.length, k -> new ArrayDeque<>()).push(b);
        s.floats.clear();
        s.bytes.clear();
        if (kept) s.floats.add(keep);
    }

    /** {@code a}, handed out in the current scope, is dead already: free it now. */
    void discard(float[] a) {
        if (!current.floats.remove(a)) throw new IllegalStateException("not an array of the current scope");
        free(a);
    }

    private void free(float[] a) {
        freeFloats.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /** An array of this step, contents undefined: for results that overwrite every value. */
    float[] floats(int n) {
        ArrayDeque<float[]> q = freeFloats.get(n);
        float[] a = q == null || q.isEmpty() ? new float[n] : q.pop();
        current.floats.add(a);
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
        current.bytes.add(a);
        return a;
    }

    /**
     * A new step over inputs of {@code shape}: every array of the last step is free again. A step
     * of another shape needs other sizes: then the last step's arrays go to the collector, before
     * this step allocates its own (else both sets would be live).
     */
    void recycle(long shape) {
        boolean same = shape == lastShape;
        lastShape = shape;
        if (!same) {
            freeFloats.clear();
            freeBytes.clear();
        }
        for (Scope s : scopes) {
            if (same) {
                for (float[] a : s.floats) free(a);
                for (byte[] b : s.bytes) freeBytes.computeIfAbsent(b.length, k -> new ArrayDeque<>()).push(b);
            }
            s.floats.clear();
            s.bytes.clear();
        }
        scopes.clear();
        current = new Scope(null);
        scopes.add(current);
    }

    /** Each sequence's first row of {@code x} [batch * seq, dim], as [batch, dim] (an array of this step). */
    float[] firstRows(float[] x, int batch, int seq, int dim) {
        float[] a = floats(batch * dim);
        for (int b = 0; b < batch; b++) System.arraycopy(x, b * seq * dim, a, b * dim, dim);
        return a;
    }

    /** The inverse of {@link #firstRows}: {@code d} [batch, dim] at each sequence's first row of zeros [batch * seq, dim]. */
    float[] atFirstRows(float[] d, int batch, int seq, int dim) {
        float[] a = zeros(batch * seq * dim);
        for (int b = 0; b < batch; b++) System.arraycopy(d, b * dim, a, b * seq * dim, dim);
        return a;
    }

    /** {@code y[i] += x[i]} for {@code i < len}, in parallel. */
    void add(float[] x, float[] y, int len) {
        compute.parallel(len, 8192, (a, b) -> kernels.axpy(1f, x, a, y, a, b - a));
    }
}
