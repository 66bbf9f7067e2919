package dev.distil4j.train.distill;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Exact weighted sampling without replacement: the distribution of drawing {@code k} items one after the other,
 * each with probability proportional to its weight among those not yet drawn ({@code torch.multinomial(...,
 * replacement=False)}). Efraimidis and Spirakis (2006): give item i the key {@code E_i / w_i} with
 * {@code E_i ~ Exp(1)} (the logarithm of their {@code u^(1/w)}) and keep the {@code k} smallest keys. One
 * exponential per item and a linear-time selection, so a whole batch costs O(n).
 */
public final class WeightedSampling {
    private WeightedSampling() {}

    /**
     * Indices of {@code k} items drawn without replacement, ascending. Items of weight 0 are never drawn; when
     * fewer than {@code k} have positive weight, all of those are returned (torch would raise instead).
     */
    public static int[] sampleWithoutReplacement(double[] weights, int k, RandomGenerator rng) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0");
        }
        int m = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0, got " + w);
            }
            if (w > 0) {
                m++;
            }
        }
        int[] idx = new int[m];
        double[] key = new double[m];
        int j = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                idx[j] = i;
                // 1 - nextDouble() is in (0, 1], so the log is finite
                key[j] = -Math.log(1.0 - rng.nextDouble()) / weights[i];
                j++;
            }
        }
        if (k >= m) {
            return idx;
        }
        selectSmallest(key, idx, k);
        int[] out = Arrays.copyOf(idx, k);
        Arrays.sort(out);
        return out;
    }

    /** Reorders so that the {@code k} smallest keys occupy {@code [0, k)} (Hoare quickselect, median of three). */
    static void selectSmallest(double[] key, int[] idx, int k) {
        int lo = 0;
        int hi = key.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (key[mid] < key[lo]) {
                swap(key, idx, mid, lo);
            }
            if (key[hi] < key[lo]) {
                swap(key, idx, hi, lo);
            }
            if (key[hi] < key[mid]) {
                swap(key, idx, hi, mid);
            }
            double pivot = key[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (key[i] < pivot) {
                    i++;
                }
                while (key[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(key, idx, i, j);
                    i++;
                    j--;
                }
            }
            // now [lo, j] <= pivot <= [i, hi]
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static void swap(double[] key, int[] idx, int a, int b) {
        double t = key[a];
        key[a] = key[b];
        key[b] = t;
        int u = idx[a];
        idx[a] = idx[b];
        idx[b] = u;
    }
}
