package dev.distil4j.train.optim;

import dev.distil4j.train.nn.Param;

import java.util.List;

/** {@code torch.nn.utils.clip_grad_norm_}: scales every gradient by {@code min(1, max / (norm + 1e-6))}. */
public final class GradientClipping {
    private GradientClipping() {}

    /** The global L2 norm of every gradient. */
    public static double globalNorm(List<Param> params) {
        double sum = 0;
        for (Param p : params) {
            float[] g = p.grad();
            if (g == null) continue;
            double s = 0;
            for (float v : g) s += (double) v * v;
            sum += s;
        }
        return Math.sqrt(sum);
    }

    /** Clips in place; returns the norm before clipping (what the Trainer logs as grad_norm). */
    public static double clip(List<Param> params, double maxNorm) {
        double norm = globalNorm(params);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float f = (float) coef;
            for (Param p : params) {
                float[] g = p.grad();
                if (g == null) continue;
                for (int i = 0; i < g.length; i++) g[i] *= f;
            }
        }
        return norm;
    }
}
