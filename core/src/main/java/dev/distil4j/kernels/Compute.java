package dev.distil4j.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Kernels plus the threads to run them on. Splits work into contiguous ranges, one per thread:
 * a Linear by panels of output columns (so each thread reads its own slice of the weights, which
 * is what bounds small batches), everything else by rows or (batch, head) pairs.
 *
 * <p>Owns {@code threads - 1} worker threads (the caller's thread takes a share too); close it
 * when the model is closed. A forward pass hands the workers dozens of short jobs in a row, so a
 * worker waits briefly after each job (spinning 10 us, then yielding, 200 us in all) before it
 * parks: the next job then starts within a microsecond instead of the tens of microseconds a
 * wake-up costs, and a worker sharing a CPU with the caller gives way to it. One caller at a time uses the
 * workers; a concurrent caller runs its ranges on its own thread.
 */
public final class Compute implements AutoCloseable {
    /** How long an idle worker waits for the next job (spinning, then yielding) before parking. */
    private static final long SPIN_NANOS = 200_000;
    /** The first part of that wait: pure spinning. */
    private static final long PURE_SPIN_NANOS = 10_000;

    private final Kernels kernels;
    private final int threads;
    private final Worker[] workers;
    private final ReentrantLock owner = new ReentrantLock();
    private volatile boolean closed;

    public Compute(Kernels kernels, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, not " + threads);
        this.kernels = kernels;
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread t = new Thread(workers[i], "distil4j-compute-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
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
     * Runs {@code body} over {@code [0, count)} in contiguous ranges whose boundaries are multiples
     * of {@code grain}; returns when all are done. The ranges (one grain each, at most 64 per thread) are claimed by the
     * caller and the workers as they come free, so a worker that the OS has not scheduled yet
     * delays nothing: the caller takes its share. The first failure is rethrown as thrown
     * (unchecked) or wrapped in an IllegalStateException.
     */
    public void parallel(int count, int grain, RangeBody body) {
        int units = (count + grain - 1) / grain;
        if (threads == 1 || units <= 1 || closed || !owner.tryLock()) {
            body.run(0, count);
            return;
        }
        try {
            // fine ranges (one grain each, up to 64 per thread): the last one to finish is short
            Job job = new Job(body, count, grain, units, Math.min(units, threads * 64));
            int helpers = Math.min(workers.length, job.chunks - 1);
            for (int i = 0; i < helpers; i++) workers[i].offer(job);
            while (job.runOne(true)) {
                // the caller works too
            }
            for (int spins = 0; job.finished.get() < job.chunks; spins++) {
                if (spins < 1 << 10) Thread.onSpinWait(); else Thread.yield();
            }
            Throwable t = job.failure.get();
            if (t instanceof RuntimeException re) throw re;
            if (t instanceof Error err) throw err;
            if (t != null) throw new IllegalStateException(t);
        } finally {
            owner.unlock();
        }
    }

    /** One call of {@link #parallel}: its ranges, claimed one at a time. */
    private static final class Job {
        final RangeBody body;
        final int count, grain, units, chunks;
        /** The unclaimed ranges [front, back), packed as front << 32 | back. */
        final AtomicLong unclaimed;
        final AtomicInteger finished = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(RangeBody body, int count, int grain, int units, int chunks) {
            this.body = body;
            this.count = count;
            this.grain = grain;
            this.units = units;
            this.chunks = chunks;
            this.unclaimed = new AtomicLong(chunks);
        }

        /**
         * Claims and runs the next range, from the front (the caller) or from the back (the
         * workers); false when none is left. Claiming from both ends keeps neighbouring ranges
         * on one thread: two threads writing neighbouring 64-column panels of the same rows
         * would share the cache line at every panel boundary.
         */
        boolean runOne(boolean fromFront) {
            int c;
            while (true) {
                long u = unclaimed.get();
                int front = (int) (u >>> 32), back = (int) u;
                if (front >= back) return false;
                long next = fromFront ? ((long) (front + 1) << 32) | back : ((long) front << 32) | (back - 1);
                if (unclaimed.compareAndSet(u, next)) {
                    c = fromFront ? front : back - 1;
                    break;
                }
            }
            int from = Math.min(count, (int) ((long) units * c / chunks) * grain);
            int to = Math.min(count, (int) ((long) units * (c + 1) / chunks) * grain);
            try {
                body.run(from, to);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                finished.incrementAndGet();
            }
            return true;
        }
    }

    /** One worker thread: helps with the latest job, spins a little for the next one, then parks. */
    private final class Worker implements Runnable {
        Thread thread;
        private volatile Job job;

        void offer(Job j) {
            job = j;
            LockSupport.unpark(thread);
        }

        @Override
        public void run() {
            Job done = null;
            while (!closed) {
                Job j = job;
                if (j == done) {
                    long start = System.nanoTime(), now = start;
                    while ((j = job) == done && !closed && now - start < SPIN_NANOS) {
                        // spin briefly, then yield while waiting: when the OS has put this worker on
                        // the caller's CPU, pure spinning keeps the caller from handing out the next
                        // job (measured: 200 us lost per parallel region on this shared 2-vCPU machine)
                        if (now - start < PURE_SPIN_NANOS) Thread.onSpinWait(); else Thread.yield();
                        now = System.nanoTime();
                    }
                    if (j == done) {
                        LockSupport.park(this);
                        continue;
                    }
                }
                while (j.runOne(false)) {
                    // claim ranges until none is left
                }
                done = j;
            }
        }
    }

    /**
     * {@code y[m, n] = x[m, k] . w^T + bias} on weights as stored (not packed), parallel over
     * output columns. Models use the packed {@link #linear(float[], int, PackedMatrix, float[], Activation, float[], float[])}.
     */
    public void linear(float[] x, int m, WeightMatrix w, float[] bias, float[] y) {
        parallel(w.rows(), 16, (n0, n1) -> kernels.linear(x, m, w, bias, y, n0, n1));
    }

    /** Packs Linear weights (stacked by rows when several) for these kernels, once, at load: see {@link Kernels#pack}. */
    public PackedMatrix pack(WeightFormat format, Slab slab, WeightMatrix... weights) {
        return kernels.pack(format, slab, weights);
    }

    /**
     * The fused Linear {@code y = act(x W^T + bias) + residual} ([m, n], row-major), parallel over
     * panels of output columns, so that every thread has work even for one short sequence.
     * {@code bias}, {@code act}, {@code residual} may be null; {@code residual == y} accumulates
     * ({@code y += x W^T}, without bias and activation).
     */
    public void linear(float[] x, int m, PackedMatrix w, float[] bias, Activation act, float[] residual, float[] y) {
        int n = w.rows(), k = w.cols();
        inBlocks(m, w, (r0, rows, n0, n1) -> kernels.matmul(x, r0 * k, k, rows, w, bias, act, residual, y, r0 * n, n, n0, n1));
    }

    /** One unit of a product: output rows {@code [r0, r0 + rows)}, columns {@code [n0, n1)}. */
    private interface Block {
        void run(int r0, int rows, int n0, int n1);
    }

    /** Runs an [m, w.rows()] product's units on the threads: panels of columns, and blocks of rows when few panels. */
    private void inBlocks(int m, PackedMatrix w, Block body) {
        int n = w.rows(), panel = w.panel(), panels = (n + panel - 1) / panel;
        // few panels for many rows (lin2, out_lin: 12 panels): split the rows too, so that the last
        // range to finish is short; neighbouring units are one panel's row blocks (its weights stay in cache)
        int wanted = UNITS_PER_THREAD * threads;
        int blocks = threads == 1 || panels >= wanted ? 1 : Math.min(m / ROW_BLOCK, (wanted + panels - 1) / panels);
        if (blocks <= 1) {
            parallel(n, panel, (n0, n1) -> body.run(0, m, n0, n1));
            return;
        }
        // blocks of whole 24-row groups (a multiple of every kernel's tile height): one partial tile at most
        int rowsPerBlock = ((m + blocks - 1) / blocks + 23) / 24 * 24, rowBlocks = (m + rowsPerBlock - 1) / rowsPerBlock;
        parallel(panels * rowBlocks, 1, (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int p = u / rowBlocks, r0 = (u % rowBlocks) * rowsPerBlock, rows = Math.min(rowsPerBlock, m - r0);
                body.run(r0, rows, p * panel, Math.min(n, (p + 1) * panel));
            }
        });
    }

    /** Work units per thread a Linear is split into at least, when it has enough rows ({@link #ROW_BLOCK} each). */
    private static final int UNITS_PER_THREAD = 24;
    private static final int ROW_BLOCK = 48;

    /** Per-thread buffers for attention: packed keys, packed values, one head's scores. */
    private final ThreadLocal<float[][]> attentionScratch = ThreadLocal.withInitial(() -> new float[3][0]);

    private static float[] atLeast(float[][] scratch, int i, int size) {
        if (scratch[i].length < size) scratch[i] = new float[size];
        return scratch[i];
    }

    /** Queries per block in {@link #attention}: a block's scores (64 x seq) stay in L2 between the two products. */
    private static final int QUERY_BLOCK = 64;

    /**
     * Multi-head scaled dot-product attention, {@code softmax(q k^T / divisor + mask) v} per
     * (sequence, head), parallel over those pairs. {@code q}, {@code k}, {@code v} hold
     * [batch * seq] rows of stride {@code ld}, head {@code h} at columns {@code [h*d, (h+1)*d)} from
     * their offsets; the result goes to {@code context} [batch * seq, heads * d]. Keys where
     * {@code mask[b][j] == 0} get exactly zero weight. {@code probs}, when non-null, receives the
     * probabilities [batch, heads, seq, seq].
     *
     * <p>Per head: keys and values packed once, then blocks of queries: scores, the softmax's
     * exponentials, their product with the values, and only then the division by each row's sum,
     * on d context values instead of seq probabilities (unless the probabilities are asked for).
     */
    public void attention(float[] q, int qOff, float[] k, int kOff, float[] v, int vOff, int ld,
                          int batch, int seq, int heads, int d, int[][] mask, float divisor,
                          float[] context, float[] probs) {
        int dim = heads * d, panel = kernels.panelWidth(), block = Math.min(QUERY_BLOCK, seq);
        parallel(batch * heads, 1, (from, to) -> {
            float[][] scratch = attentionScratch.get();
            float[] kBuf = atLeast(scratch, 0, PackedMatrix.size(seq, d, panel));
            float[] vBuf = atLeast(scratch, 1, PackedMatrix.size(d, seq, panel));
            float[] scores = atLeast(scratch, 2, block * seq);
            float[] sums = new float[block];
            for (int bh = from; bh < to; bh++) {
                int b = bh / heads, h = bh % heads, row0 = b * seq, col = h * d;
                int[] keyMask = mask == null ? null : mask[b];
                PackedMatrix keys = kernels.packRows(k, kOff + row0 * ld + col, ld, seq, d, kBuf);
                PackedMatrix values = PackedMatrix.packColumns(v, vOff + row0 * ld + col, ld, d, seq, panel, vBuf);
                for (int i0 = 0; i0 < seq; i0 += block) {
                    int rows = Math.min(block, seq - i0);
                    kernels.matmul(q, qOff + (row0 + i0) * ld + col, ld, rows, keys, null, null, null, scores, 0, seq, 0, seq);
                    for (int i = 0; i < rows; i++) {
                        if (probs != null) {
                            kernels.scaledMaskedSoftmax(scores, i * seq, seq, divisor, keyMask);
                            System.arraycopy(scores, i * seq, probs, (bh * seq + i0 + i) * seq, seq);
                        } else {
                            sums[i] = kernels.scaledMaskedExp(scores, i * seq, seq, divisor, keyMask);
                        }
                    }
                    int out = (row0 + i0) * dim + col;
                    kernels.matmul(scores, 0, seq, rows, values, null, null, null, context, out, dim, 0, d);
                    if (probs == null) {
                        for (int i = 0; i < rows; i++) kernels.scale(context, out + i * dim, d, 1f / sums[i]);
                    }
                }
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
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w.thread);
    }
}
