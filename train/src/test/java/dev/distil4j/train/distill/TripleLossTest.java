package dev.distil4j.train.distill;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The fused, row-parallel triple loss against its terms computed one by one with {@link Losses}. */
class TripleLossTest {
    private static final int BATCH = 3, SEQ = 7, VOCAB = 1013, DIM = 24, ROWS = BATCH * SEQ;

    @ParameterizedTest
    @CsvSource({"false, 1, 0.0", "true, 1, 0.0", "false, 3, 0.5", "true, 4, 1.5"})
    void fusedTermsEqualTheSeparateLosses(boolean restrict, int accumulation, double alphaMse) {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] s = gaussian(rnd, ROWS * VOCAB, 3), t = gaussian(rnd, ROWS * VOCAB, 3);
        float[] hs = gaussian(rnd, ROWS * DIM, 1), ht = gaussian(rnd, ROWS * DIM, 1);
        int[][] attention = new int[BATCH][SEQ];
        int[] labels = new int[ROWS];
        for (int b = 0; b < BATCH; b++) {
            int length = SEQ - 2 * b;  // padding in the later sequences
            for (int i = 0; i < SEQ; i++) {
                attention[b][i] = i < length ? 1 : 0;
                labels[b * SEQ + i] = i < length && i % 3 == 1 ? rnd.nextInt(VOCAB) : Losses.IGNORE_INDEX;
            }
        }
        TripleLoss loss = new TripleLoss(2.0, 5.0, 2.0, alphaMse, 1.0, restrict);

        // the reference: each term on its own, then combined as distiller.py does
        boolean[] attended = new boolean[ROWS], selected = new boolean[ROWS];
        for (int r = 0; r < ROWS; r++) {
            attended[r] = attention[r / SEQ][r % SEQ] != 0;
            selected[r] = restrict ? labels[r] != Losses.IGNORE_INDEX : attended[r];
        }
        Loss kl = Losses.klDivergence(s, t, ROWS, VOCAB, selected, 2.0);
        Loss ce = Losses.crossEntropy(s, ROWS, VOCAB, labels, Losses.IGNORE_INDEX);
        Loss cos = Losses.cosineEmbedding(hs, ht, ROWS, DIM, attended);
        int n = 0;
        for (boolean b : selected) if (b) n++;
        double mse = 0;
        float[] expected = new float[ROWS * VOCAB];
        for (int i = 0; i < expected.length; i++) {
            double d = (double) s[i] - t[i];
            if (selected[i / VOCAB]) mse += d * d;
            float g = 5f * kl.grad()[i] + 2f * ce.grad()[i];
            if (selected[i / VOCAB]) g += (float) (alphaMse * 2 * d / n);
            expected[i] = g / accumulation;
        }
        mse /= n;

        try (Compute two = new Compute(Kernels.best(), 2)) {
            for (Compute compute : new Compute[] {null, two}) {
                // on two threads, into a reused array full of NaN: every value must be written
                float[] reuse = null;
                if (compute != null) {
                    reuse = new float[ROWS * VOCAB];
                    Arrays.fill(reuse, Float.NaN);
                }
                TripleLoss.Result r = loss.compute(s, t, hs, ht, attention, labels, VOCAB, DIM, accumulation, compute, reuse);
                if (reuse != null) assertThat(r.dLogits()).isSameAs(reuse);
                assertThat(r.lossCe()).isCloseTo(kl.value(), within(1e-6f * kl.value()));
                assertThat(r.lossMlm()).isCloseTo(ce.value(), within(1e-6f * ce.value()));
                assertThat(r.lossCos()).isEqualTo(cos.value());
                assertThat((double) r.lossMse()).isCloseTo(alphaMse > 0 ? mse : 0, within(1e-6 * mse));
                double total = 5.0 * kl.value() + 2.0 * ce.value() + alphaMse * (float) mse + cos.value();
                assertThat((double) r.loss()).isCloseTo(total, within(1e-6 * total));
                for (int i = 0; i < expected.length; i++) {
                    assertThat(r.dLogits()[i]).as("dLogits[%d]", i).isCloseTo(expected[i], within(1e-6f * Math.abs(expected[i]) + 1e-12f));
                }
                for (int i = 0; i < hs.length; i++) {
                    assertThat(r.dHidden()[i]).isEqualTo(cos.grad()[i] * 1f / accumulation);
                }
            }
        }
    }

    private static float[] gaussian(SplittableRandom rnd, int n, double sd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (sd * (rnd.nextDouble() * 2 - 1 + rnd.nextDouble() * 2 - 1));
        return x;
    }
}
