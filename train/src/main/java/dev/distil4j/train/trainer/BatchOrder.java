package dev.distil4j.train.trainer;

import dev.distil4j.kernels.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The order of the training data in each epoch, a pure function of (seed, epoch) so that a resumed run
 * sees the same batches: the file's order, a seeded permutation (transformers' {@code RandomSampler}), or
 * length-grouped as transformers' {@code LengthGroupedSampler}: the permutation cut into megabatches of
 * {@code min(n / (4 * size), 50) * size} indices (at least one batch), each sorted by length, longest first,
 * with the longest example of all moved to the front so that running out of memory happens at once.
 * {@code size} is the batch size times the accumulation steps, as in transformers 4.28.
 */
record BatchOrder(int[] lengths, int batchSize, int accumulation, boolean shuffle, boolean groupByLength, long seed) {
    private static final long ORDER_STREAM = 0x6F72646572L;

    int batchesPerEpoch() {
        return (lengths.length + batchSize - 1) / batchSize;
    }

    /** The micro-batches of epoch {@code epoch} (0-based), as dataset indices. */
    List<int[]> epoch(int epoch) {
        int n = lengths.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(Rng.key(Rng.key(seed, ORDER_STREAM), epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        if (groupByLength) order = grouped(order);
        List<int[]> batches = new ArrayList<>(batchesPerEpoch());
        for (int s = 0; s < n; s += batchSize) batches.add(Arrays.copyOfRange(order, s, Math.min(n, s + batchSize)));
        return batches;
    }

    /** transformers' {@code get_length_grouped_indices} over a given order. */
    private int[] grouped(int[] order) {
        int n = order.length, size = batchSize * accumulation;
        int mult = Math.max(1, Math.min(n / (size * 4), 50));
        int mega = mult * size;
        List<Integer[]> megabatches = new ArrayList<>();
        for (int s = 0; s < n; s += mega) {
            Integer[] m = new Integer[Math.min(n, s + mega) - s];
            for (int i = 0; i < m.length; i++) m[i] = order[s + i];
            // a stable sort, longest first, as Python's sorted(reverse=True)
            Arrays.sort(m, Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
            megabatches.add(m);
        }
        int maxIdx = 0;
        for (int k = 1; k < megabatches.size(); k++) {
            if (lengths[megabatches.get(k)[0]] > lengths[megabatches.get(maxIdx)[0]]) maxIdx = k;
        }
        Integer t = megabatches.get(0)[0];
        megabatches.get(0)[0] = megabatches.get(maxIdx)[0];
        megabatches.get(maxIdx)[0] = t;
        int[] out = new int[n];
        int k = 0;
        for (Integer[] m : megabatches) for (Integer i : m) out[k++] = i;
        return out;
    }
}
