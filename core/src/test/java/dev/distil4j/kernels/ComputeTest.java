package dev.distil4j.kernels;

import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComputeTest {
    @Test
    void parallelCoversEveryIndexOnce() {
        try (Compute c = new Compute(Kernels.best(), 3)) {
            for (int count : new int[] {0, 1, 5, 16, 17, 100, 1001}) {
                for (int grain : new int[] {1, 4, 16}) {
                    AtomicIntegerArray seen = new AtomicIntegerArray(count);
                    c.parallel(count, grain, (from, to) -> {
                        for (int i = from; i < to; i++) seen.incrementAndGet(i);
                    });
                    for (int i = 0; i < count; i++) assertEquals(1, seen.get(i), "count " + count + " grain " + grain + " index " + i);
                }
            }
        }
    }

    @Test
    void parallelLinearEqualsSingleThreaded() {
        SplittableRandom r = new SplittableRandom(7);
        int m = 13, k = 70, n = 101;
        float[] x = new float[m * k], w = new float[n * k], b = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < n; i++) b[i] = (float) r.nextGaussian();
        WeightMatrix wm = new WeightMatrix(FloatBuffer.wrap(w), n, k);
        float[] one = new float[m * n], two = new float[m * n];
        try (Compute c1 = new Compute(Kernels.best(), 1); Compute c2 = new Compute(Kernels.best(), 2)) {
            c1.linear(x, m, wm, b, one);
            c2.linear(x, m, wm, b, two);
        }
        assertArrayEquals(one, two, "the split must not change any value");
    }

    @Test
    void packedLinearSplitByRowsAndPanelsEqualsSingleThreaded() {
        SplittableRandom r = new SplittableRandom(11);
        // 3 panels for 301 rows: the rows are split too (row blocks), with bias, GELU and a residual
        int m = 301, k = 70, n = 130;
        float[] x = new float[m * k], w = new float[n * k], b = new float[n], res = new float[m * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < n; i++) b[i] = (float) r.nextGaussian();
        for (int i = 0; i < res.length; i++) res[i] = (float) r.nextGaussian();
        WeightMatrix wm = new WeightMatrix(FloatBuffer.wrap(w), n, k);
        for (WeightFormat format : WeightFormat.values()) {
            float[] one = new float[m * n], four = new float[m * n];
            try (Compute c1 = new Compute(Kernels.best(), 1); Compute c4 = new Compute(Kernels.best(), 4)) {
                c1.linear(x, m, c1.pack(format, null, wm), b, Activation.GELU, res, one);
                c4.linear(x, m, c4.pack(format, null, wm), b, Activation.GELU, res, four);
            }
            assertArrayEquals(one, four, format + ": the split must not change any value");
        }
    }

    @Test
    void failuresInWorkersReachTheCaller() {
        try (Compute c = new Compute(Kernels.scalar(), 2)) {
            var e = assertThrows(IllegalStateException.class, () -> c.parallel(10, 1, (from, to) -> {
                if (from > 0) throw new IllegalStateException("boom " + from);
            }));
            assertTrue(e.getMessage().startsWith("boom "), e.getMessage()); // one of the failing ranges, unwrapped
        }
    }

    @Test
    void concurrentCallersAndReuseAfterClose() throws Exception {
        Compute c = new Compute(Kernels.best(), 2);
        int count = 10_000;
        Runnable job = () -> {
            for (int rep = 0; rep < 200; rep++) {
                AtomicIntegerArray seen = new AtomicIntegerArray(count);
                c.parallel(count, 7, (from, to) -> {
                    for (int i = from; i < to; i++) seen.incrementAndGet(i);
                });
                for (int i = 0; i < count; i++) assertEquals(1, seen.get(i));
            }
        };
        Thread other = new Thread(job);
        other.start();
        job.run();
        other.join();
        c.close();
        AtomicIntegerArray seen = new AtomicIntegerArray(100);
        c.parallel(100, 1, (from, to) -> {
            for (int i = from; i < to; i++) seen.incrementAndGet(i);
        });
        for (int i = 0; i < 100; i++) assertEquals(1, seen.get(i), "a closed Compute still runs, on the caller's thread");
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> new Compute(Kernels.scalar(), 0));
    }
}
