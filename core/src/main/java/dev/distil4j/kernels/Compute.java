package dev.distil4j.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Kernels plus the threads to run them on. Splits work into contiguous ranges, one per thread:
 * a Linear by output columns (so each thread reads its own slice of the weights, which is what
 * bounds small batches), everything else by rows or (batch, head) pairs.
 *
 * <p>Owns a pool of {@code threads - 1} workers (the caller's thread takes a share too); close it
 * when the model is closed.
 */
public final class Compute implements AutoCloseable {
    private final Kernels kernels;
    private final int threads;
    private final ForkJoinPool pool;

    public Compute(Kernels kernels, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, not " + threads);
        this.kernels = kernels;
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads - 1);
    }

    /** The best kernels on every available core. */
    public static Compute defaults() {
        return new Compute(Kernels.best(), Runtime.getRuntime().availableProcessors());
    }

    public Kernels kernels() {
        return kernels;
    }

    public int threads() {
        return threads;
    }

    /** A body run on a range {@code [from, to)} of some index space. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over {@code [0, count)} split into at most {@code threads} contiguous
     * ranges whose boundaries are multiples of {@code grain}; returns when all are done.
     */
    public void parallel(int count, int grain, RangeBody body) {
        int chunks = Math.min(threads, Math.max(1, (count + grain - 1) / grain));
        if (chunks == 1) {
            body.run(0, count);
            return;
        }
        int units = (count + grain - 1) / grain;
        int[] bounds = new int[chunks + 1];
        for (int c = 0; c <= chunks; c++) bounds[c] = Math.min(count, (int) ((long) units * c / chunks) * grain);
        // failures are kept as thrown (the pool would wrap them) and the first one is rethrown
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int from = bounds[c], to = bounds[c + 1];
            futures.add(pool.submit(() -> runCatching(body, from, to, failure)));
        }
        runCatching(body, bounds[0], bounds[1], failure);
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failure.compareAndSet(null, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            }
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) throw re;
        if (t instanceof Error err) throw err;
        if (t != null) throw new IllegalStateException(t);
    }

    private static void runCatching(RangeBody body, int from, int to, AtomicReference<Throwable> failure) {
        try {
            body.run(from, to);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** {@code y[m, n] = x[m, k] . w^T + bias}, parallel over output columns. */
    public void linear(float[] x, int m, WeightMatrix w, float[] bias, float[] y) {
        parallel(w.rows(), 16, (n0, n1) -> kernels.linear(x, m, w, bias, y, n0, n1));
    }

    /** LayerNorm over {@code rows} rows of width {@code dim}, parallel over rows. */
    public void layerNorm(float[] x, float[] out, int rows, int dim, float[] gamma, float[] beta, float eps) {
        parallel(rows, 8, (r0, r1) -> kernels.layerNorm(x, out, dim, r0, r1, gamma, beta, eps));
    }

    /** In-place activation over {@code x[0, len)}. */
    public void activation(Activation act, float[] x, int len) {
        parallel(len, 4096, (a, b) -> kernels.activation(act, x, a, b - a));
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdown();
    }
}
