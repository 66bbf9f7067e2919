package dev.distil4j.train.nn;

import dev.distil4j.kernels.AttentionTraining;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Gemm;
import dev.distil4j.kernels.Kernels;

/**
 * What every block's forward and backward run on: the threads and kernels, the training products,
 * and the mode of the current pass (training applies dropout drawn from {@link #seed}).
 * One per model; one pass at a time.
 */
final class Ctx {
    final Compute compute;
    final Kernels kernels;
    final Gemm gemm;
    final AttentionTraining attention;
    boolean training;
    long seed;

    Ctx(Compute compute) {
        this.compute = compute;
        this.kernels = compute.kernels();
        this.gemm = new Gemm(compute);
        this.attention = new AttentionTraining(compute);
    }

    /** {@code y[i] += x[i]} for {@code i < len}, in parallel. */
    void add(float[] x, float[] y, int len) {
        compute.parallel(len, 8192, (a, b) -> kernels.axpy(1f, x, a, y, a, b - a));
    }
}
