package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.Shared;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The opt-in reduced-precision weights on real weights (all-MiniLM-L6-v2), against the float32
 * goldens, at every real (non-padded) token: bfloat16 within cosine 0.9999, int8 within 0.995
 * (weight-only int8 with one scale per output feature is the coarser of the two: measured worst
 * 0.998). Both kernels.
 */
class ReducedPrecisionTest {

    @Test
    void bf16WeightsKeepMiniLmHiddenStatesWithinCosine09999() {
        check(Precision.BF16_WEIGHTS, 0.9999);
    }

    @Test
    void int8WeightsKeepMiniLmHiddenStatesWithinCosine0995() {
        check(Precision.INT8_WEIGHTS, 0.995);
    }

    static void check(Precision precision, double minCosine) {
        Path dir = Shared.path("real/all-MiniLM-L6-v2");
        List<Goldens.Case> cases = Goldens.cases(dir.resolve("goldens"));
        for (Kernels kernels : new Kernels[] {Kernels.best(), Kernels.scalar()}) {
            double worst = 1;
            try (Compute c = new Compute(kernels, 2);
                 Model model = Model.load(dir, Model.Options.defaults().withCompute(c).withPrecision(precision))) {
                for (Goldens.Case gc : kernels == Kernels.scalar() ? cases.subList(0, 1) : cases) {
                    ModelInput in = gc.input();
                    float[] got = model.forward(in).lastHiddenState().data();
                    float[] want = gc.output("last_hidden_state").data();
                    int h = model.config().hiddenSize(), seq = in.seqLength();
                    for (int b = 0; b < in.batchSize(); b++) {
                        for (int i = 0; i < seq; i++) {
                            if (in.mask(b, i) == 0) continue;
                            double cos = cosine(got, want, (b * seq + i) * h, h);
                            worst = Math.min(worst, cos);
                            assertTrue(cos >= minCosine, precision + " " + gc.name() + " [" + b + "," + i + "] cosine " + cos);
                        }
                    }
                }
            }
            System.out.printf("%s, %s kernels: worst per-token cosine to float32 goldens %.6f%n", precision, kernels.name(), worst);
        }
    }

    static double cosine(float[] a, float[] b, int off, int len) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = off; i < off + len; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
