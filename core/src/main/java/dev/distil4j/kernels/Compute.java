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

    /** Packs Linear weights (stacked by rows when several) for these kernels: once, at load. */
    public PackedMatrix pack(WeightMatrix... weights) {
        return kernels.pack(weights);
    }

    /** Packs Linear weights as int8, one scale per output feature (the opt-in reduced-precision mode). */
    public PackedMatrix packInt8(WeightMatrix... weights) {
        return kernels.packInt8(weights);
    }

    /** Packs Linear weights as bfloat16 (the opt-in half-memory mode). */
    public PackedMatrix packBf16(WeightMatrix... weights) {
        return kernels.packBf16(weights);
    }

    /**
     * The fused Linear {@code y = act(x W^T + bias) + residual} ([m, n], row-major), parallel over
     * panels of output columns, so that every thread has work even for one short sequence.
     * {@code bias}, {@code act}, {@code residual} may be null; {@code residual} must not be {@code y}.
     */
    public void linear(float[] x, int m, PackedMatrix w, float[] bias, Activation act, float[] residual, float[] y) {
        int n = w.rows(), k = w.cols();
        parallel(n, w.panel(), (n0, n1) -> kernels.matmul(x, 0, k, m, w, bias, act, residual, y, 0, n, n0, n1));
    }

    /** Per-thread buffers for attention: packed keys, packed values, one head's scores. */
    private final ThreadLocal<float[][]> attentionScratch = ThreadLocal.withInitial(() -> new float[3][0]);

    private static float[] atLeast(float[][] scratch, int i, int size) {
        if (scratch[i].length < size) scratch[i] = new float[size];
        return scratch[i];
    }

    /**
     * Multi-head scaled dot-product attention, {@code softmax(q k^T / divisor + mask) v} per
     * (sequence, head), parallel over those pairs. {@code q}, {@code k}, {@code v} hold
     * [batch * seq] rows of stride {@code ld}, head {@code h} at columns {@code [h*d, (h+1)*d)} from
     * their offsets; the result goes to {@code context} [batch * seq, heads * d]. Keys where
     * {@code mask[b][j] == 0} get exactly zero weight. {@code probs}, when non-null, receives the
     * probabilities [batch, heads, seq, seq].
     */
    public void attention(float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, int ld,
                          int batch, int seq, int heads, int d, int[][] mask, float divisor,
                          float[] context, float[] probs) {
        int dim = heads * d, panel = kernels.panelWidth();
        parallel(batch * heads, 1, (from, to) -> {
            float[][] scratch = attentionScratch.get();
            float[] kBuf = atLeast(scratch, 0, PackedMatrix.size(seq, d, panel));
            float[] vBuf = atLeast(scratch, 1, PackedMatrix.size(d, seq, panel));
            float[] scores = atLeast(scratch, 2, seq * seq);
            for (int bh = from; bh < to; bh++) {
                int b = bh / heads, h = bh % heads, row0 = b * seq, col = h * d;
                PackedMatrix keys = PackedMatrix.packRows(k, kOff + row0 * ld + col, ld, seq, d, panel, kBuf);
                kernels.matmul(q, qOff + row0 * ld + col, ld, seq, keys, null, null, null, scores, 0, seq, 0, seq);
                int[] keyMask = mask == null ? null : mask[b];
                for (int i = 0; i < seq; i++) kernels.scaledMaskedSoftmax(scores, i * seq, seq, divisor, keyMask);
                if (probs != null) System.arraycopy(scores, 0, probs, bh * seq * seq, seq * seq);
                PackedMatrix values = PackedMatrix.packColumns(v, vOff + row0 * ld + col, ld, d, seq, panel, vBuf);
                kernels.matmul(scores, 0, seq, seq, values, null, null, null, context, row0 * dim + col, dim, 0, d);
            }
        });
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
