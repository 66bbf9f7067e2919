package dev.distil4j.train.optim;

import dev.distil4j.kernels.Compute;
import dev.distil4j.train.nn.Param;

import java.util.List;

/** {@code torch.nn.utils.clip_grad_norm_}: scales every gradient by {@code min(1, max / (norm + 1e-6))}. */
public final class GradientClipping {
    /** Values per partial sum: float dot products of this length, added up in double. */
    private static final int CHUNK = 16384;

    private GradientClipping() {}

    /** The global L2 norm of every gradient; the same value on any number of threads. */
    public static double globalNorm(List<Param> params, Compute compute) {
        double sum = 0;
        for (Param p : params) {
            float[] g = p.grad();
            if (g == null) continue;
            int chunks = (g.length + CHUNK - 1) / CHUNK;
            double[] partial = new double[chunks];
            compute.parallel(chunks, 1, (c0, c1) -> {
                for (int c = c0; c < c1; c++) {
                    int from = c * CHUNK, len = Math.min(CHUNK, g.length - from);
                    partial[c] = compute.kernels().dot(g, from, g, from, len);
                }
            });
            for (double s : partial) sum += s;
        }
        return Math.sqrt(sum);
    }

    /** Clips in place; returns the norm before clipping (what the Trainer logs as grad_norm). */
    public static double clip(List<Param> params, double maxNorm, Compute compute) {
        double norm = globalNorm(params, compute);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float f = (float) coef;
            for (Param p : params) {
                float[] g = p.grad();
                if (g == null) continue;
                compute.parallel(g.length, CHUNK, (a, b) -> compute.kernels().scale(g, a, b - a, f));
            }
        }
        return norm;
    }
}
