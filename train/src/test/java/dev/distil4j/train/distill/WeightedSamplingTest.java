package dev.distil4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedSamplingTest {

    /** Inclusion probabilities of successive sampling (draw, remove, renormalise), by full enumeration. */
    static double[] exactInclusion(double[] w, int k) {
        double[] p = new double[w.length];
        enumerate(w, k, new boolean[w.length], 1.0, p);
        return p;
    }

    private static void enumerate(double[] w, int k, boolean[] taken, double prob, double[] p) {
        if (k == 0) {
            for (int i = 0; i < w.length; i++) {
                if (taken[i]) {
                    p[i] += prob;
                }
            }
            return;
        }
        double rest = 0;
        for (int i = 0; i < w.length; i++) {
            rest += taken[i] ? 0 : w[i];
        }
        for (int i = 0; i < w.length; i++) {
            if (!taken[i] && w[i] > 0) {
                taken[i] = true;
                enumerate(w, k - 1, taken, prob * w[i] / rest, p);
                taken[i] = false;
            }
        }
    }

    @Test
    void inclusionProbabilitiesEqualSuccessiveSampling() {
        double[][] weights = {{1, 2, 3, 4}, {0.05, 1, 1, 7, 0.3, 2.5}};
        int[] ks = {2, 3};
        SplittableRandom rng = new SplittableRandom(7);
        int trials = 200_000;
        for (int c = 0; c < weights.length; c++) {
            double[] w = weights[c];
            double[] exact = exactInclusion(w, ks[c]);
            long[] hits = new long[w.length];
            for (int t = 0; t < trials; t++) {
                for (int i : WeightedSampling.sampleWithoutReplacement(w, ks[c], rng)) {
                    hits[i]++;
                }
            }
            for (int i = 0; i < w.length; i++) {
                double p = exact[i];
                double sigma = Math.sqrt(p * (1 - p) / trials);
                assertThat((double) hits[i] / trials)
                        .as("case %d item %d (weight %s)", c, i, w[i])
                        .isCloseTo(p, offset(4 * sigma + 1e-12));
            }
        }
        // the biased shortcuts differ visibly: for the weight-4 item of case 0, independent inclusion with
        // probability k*w/W gives 0.8 and two draws with replacement 1 - 0.6^2 = 0.64; the exact value is 0.7159
        assertThat(exactInclusion(weights[0], 2)[3]).isCloseTo(0.7159, offset(1e-4));
    }

    @Test
    void zeroWeightsAreNeverDrawnAndShortPopulationsAreTakenWhole() {
        double[] w = {0, 1, 0, 2, 0, 3};
        SplittableRandom rng = new SplittableRandom(1);
        for (int t = 0; t < 1000; t++) {
            int[] s = WeightedSampling.sampleWithoutReplacement(w, 2, rng);
            assertThat(s).hasSize(2).doesNotContain(0, 2, 4).isSorted().doesNotHaveDuplicates();
        }
        assertThat(WeightedSampling.sampleWithoutReplacement(w, 5, rng)).containsExactly(1, 3, 5);
        assertThat(WeightedSampling.sampleWithoutReplacement(w, 0, rng)).isEmpty();
        assertThatThrownBy(() -> WeightedSampling.sampleWithoutReplacement(new double[] {1, -1}, 1, rng))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quickselectKeepsTheSmallestKeys() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rng.nextInt(200);
            int k = 1 + rng.nextInt(n);
            double[] key = new double[n];
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                key[i] = rng.nextInt(4) == 0 ? rng.nextInt(5) : rng.nextDouble(); // with ties
                idx[i] = i;
            }
            double[] sorted = key.clone();
            Arrays.sort(sorted);
            double[] original = key.clone();
            WeightedSampling.selectSmallest(key, idx, k);
            double[] firstK = Arrays.copyOf(key, k);
            Arrays.sort(firstK);
            assertThat(firstK).containsExactly(Arrays.copyOf(sorted, k));
            for (int i = 0; i < n; i++) {
                assertThat(key[i]).isEqualTo(original[idx[i]]);
            }
        }
    }
}
