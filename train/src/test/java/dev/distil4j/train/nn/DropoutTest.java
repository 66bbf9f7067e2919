package dev.distil4j.train.nn;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DropoutTest {

    private static float[] ones(int n) {
        float[] x = new float[n];
        Arrays.fill(x, 1f);
        return x;
    }

    @Test
    void keptFractionWithinThreeSigmaAndInvertedScaling() {
        try (Compute c = new Compute(Kernels.best(), 2)) {
            Ctx ctx = new Ctx(c);
            ctx.training = true;
            ctx.seed = 1234;
            int n = 1_000_000;
            for (float p : new float[] {0.1f, 0.2f, 0.5f}) {
                float[] x = ones(n);
                new Dropout(p, 7).forward(ctx, x, n);
                int kept = 0;
                for (float v : x) {
                    if (v != 0) {
                        kept++;
                        assertThat(v).isEqualTo(1f / (1f - p));
                    }
                }
                double sigma = Math.sqrt(n * p * (1 - p));
                assertThat((double) kept).as("p=%s", p).isBetween(n * (1 - p) - 3 * sigma, n * (1 - p) + 3 * sigma);
            }
        }
    }

    @Test
    void sameSeedSameMaskOtherSeedOrSiteAnother() {
        try (Compute c = new Compute(Kernels.best(), 2)) {
            Ctx ctx = new Ctx(c);
            ctx.training = true;
            ctx.seed = 5;
            byte[] a = new Dropout(0.1f, 1).mask(ctx, 10_000), b = new Dropout(0.1f, 1).mask(ctx, 10_000);
            byte[] site = new Dropout(0.1f, 2).mask(ctx, 10_000);
            ctx.seed = 6;
            byte[] seed = new Dropout(0.1f, 1).mask(ctx, 10_000);
            assertThat(a).isEqualTo(b);
            assertThat(a).isNotEqualTo(site).isNotEqualTo(seed);
        }
        // independent of the number of threads
        try (Compute one = new Compute(Kernels.best(), 1); Compute two = new Compute(Kernels.best(), 2)) {
            Ctx c1 = new Ctx(one), c2 = new Ctx(two);
            c1.training = c2.training = true;
            c1.seed = c2.seed = 9;
            assertThat(new Dropout(0.3f, 4).mask(c1, 100_000)).isEqualTo(new Dropout(0.3f, 4).mask(c2, 100_000));
        }
    }

    @Test
    void evalModeAndBackwardFollowTheMask() {
        try (Compute c = new Compute(Kernels.best(), 2)) {
            Ctx ctx = new Ctx(c);
            float[] x = ones(1000);
            Dropout d = new Dropout(0.5f, 3);
            d.forward(ctx, x, x.length);                        // eval: identity
            assertThat(x).containsOnly(1f);
            ctx.training = true;
            d.forward(ctx, x, x.length);
            float[] dy = ones(1000);
            d.backward(ctx, dy, dy.length);
            assertThat(dy).isEqualTo(x);                        // same mask, same scale
            assertThat(new Dropout(0f, 3).active(ctx)).isFalse();
        }
    }
}
