package dev.distil4j.train.distill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The distiller's batches: a seeded random permutation of the dataset per epoch (its {@code RandomSampler}),
 * then, with {@code groupBySize}, the research project's {@code GroupedBatchSampler}: indices are dealt, in
 * permutation order, into length buckets, and a bucket that reaches the batch size is emitted as a batch. The
 * leftovers are concatenated bucket by bucket (shortest first) and cut into batches. Similar lengths in one batch
 * waste little padding. Without grouping, consecutive permutation slices are the batches. Either way an
 * epoch has {@code ceil(n / batchSize)} batches and uses every index once.
 */
public final class LengthGroupedBatchSampler {
    private final int[] groups;
    private final int n;
    private final int batchSize;
    private final boolean groupBySize;
    private final long seed;

    /**
     * @param lengths each sequence's length
     * @param maxModelInputSize the bucket bounds run from 3 to it in steps of 4 ({@code create_lengths_groups}'s k)
     */
    public LengthGroupedBatchSampler(int[] lengths, int batchSize, boolean groupBySize, int maxModelInputSize,
                                     long seed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive");
        }
        this.n = lengths.length;
        this.groups = lengthGroups(lengths, maxModelInputSize);
        this.batchSize = batchSize;
        this.groupBySize = groupBySize;
        this.seed = seed;
    }

    /**
     * {@code create_lengths_groups}: bucket bounds {@code 3, 7, 11, ... < k} (just {@code [10]} when
     * {@code k <= 0}), and each length's bucket is the number of bounds {@code <=} it (Python's
     * {@code bisect_right}).
     */
    public static int[] lengthGroups(int[] lengths, int k) {
        int[] g = new int[lengths.length];
        for (int i = 0; i < lengths.length; i++) {
            int len = lengths[i];
            if (k > 0) {
                // bounds b_j = 3 + 4j for j >= 0 with b_j < k; count those <= len
                int nBounds = k > 3 ? (k - 3 + 3) / 4 : 0;
                int le = len < 3 ? 0 : (len - 3) / 4 + 1;
                g[i] = Math.min(le, nBounds);
            } else {
                g[i] = len >= 10 ? 1 : 0;
            }
        }
        return g;
    }

    /** Batches per epoch: {@code ceil(n / batchSize)}. */
    public int numBatches() {
        return (n + batchSize - 1) / batchSize;
    }

    /** The seeded permutation of epoch {@code epoch} (what {@code RandomSampler} yields). */
    public int[] permutation(int epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(Seeds.mix(seed, 0x5A3D_1E5E_5EEDL, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The batches of epoch {@code epoch} (dataset indices), deterministic in (seed, epoch). */
    public List<int[]> epoch(int epoch) {
        int[] order = permutation(epoch);
        if (!groupBySize) {
            List<int[]> out = new ArrayList<>(numBatches());
            for (int s = 0; s < n; s += batchSize) {
                out.add(Arrays.copyOfRange(order, s, Math.min(n, s + batchSize)));
            }
            return out;
        }
        return groupedBatches(order, groups, batchSize);
    }

    /** {@code GroupedBatchSampler.__iter__} over a given sampler order. */
    public static List<int[]> groupedBatches(int[] order, int[] groupIds, int batchSize) {
        int nGroups = 0;
        for (int g : groupIds) {
            nGroups = Math.max(nGroups, g + 1);
        }
        int[][] buffers = new int[nGroups][batchSize];
        int[] fill = new int[nGroups];
        List<int[]> out = new ArrayList<>((order.length + batchSize - 1) / batchSize);
        for (int idx : order) {
            int g = groupIds[idx];
            buffers[g][fill[g]++] = idx;
            if (fill[g] == batchSize) {
                out.add(buffers[g].clone());
                fill[g] = 0;
            }
        }
        // leftovers: bucket by bucket in ascending group order, cut into batches; the last may be short
        int[] rest = new int[batchSize];
        int r = 0;
        for (int g = 0; g < nGroups; g++) {
            for (int i = 0; i < fill[g]; i++) {
                rest[r++] = buffers[g][i];
                if (r == batchSize) {
                    out.add(rest.clone());
                    r = 0;
                }
            }
        }
        if (r > 0) {
            out.add(Arrays.copyOf(rest, r));
        }
        return out;
    }
}
