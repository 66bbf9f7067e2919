package dev.distil4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchingTest {

    @Test
    void lengthBucketsAreBisectRightOverThreeSevenElevenUpToK() {
        int[] lengths = {0, 2, 3, 6, 7, 12, 13, 510, 511, 512, 5000};
        assertThat(LengthGroupedBatchSampler.lengthGroups(lengths, 512))
                .containsExactly(0, 0, 1, 1, 2, 3, 3, 127, 128, 128, 128);
        // k = 8: bounds [3, 7]; k <= 0: bounds [10]
        assertThat(LengthGroupedBatchSampler.lengthGroups(new int[] {2, 3, 7, 8, 100}, 8)).containsExactly(0, 1, 2, 2, 2);
        assertThat(LengthGroupedBatchSampler.lengthGroups(new int[] {9, 10, 11}, 0)).containsExactly(0, 1, 1);
    }

    @Test
    void groupedBatchesFollowTheGroupedBatchSampler() {
        int[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        int[] groups = {0, 1, 0, 1, 0, 2, 2, 1, 0, 2};
        // full buckets in the order they fill, then the leftovers bucket by bucket: [7] + [9]
        List<int[]> b = LengthGroupedBatchSampler.groupedBatches(order, groups, 2);
        assertThat(b).containsExactly(new int[] {0, 2}, new int[] {1, 3}, new int[] {5, 6}, new int[] {4, 8},
                new int[] {7, 9});
        // leftovers of 3 buckets (sizes 2, 1, 2 with batch size 3): [g0 g0 g1] [g2 g2]
        int[] g2 = {0, 0, 1, 2, 2};
        assertThat(LengthGroupedBatchSampler.groupedBatches(new int[] {4, 3, 2, 1, 0}, g2, 3))
                .containsExactly(new int[] {1, 0, 2}, new int[] {4, 3});
    }

    @Test
    void epochsUseEveryIndexOnceInMostlySingleBucketBatches() {
        SplittableRandom r = new SplittableRandom(11);
        int n = 5003;
        int[] lengths = r.ints(n, 12, 200).toArray();
        int bs = 32;
        LengthGroupedBatchSampler s = new LengthGroupedBatchSampler(lengths, bs, true, 512, 42);
        int[] groups = LengthGroupedBatchSampler.lengthGroups(lengths, 512);
        List<int[]> epoch = s.epoch(0);
        assertThat(epoch).hasSize(s.numBatches()).hasSize((n + bs - 1) / bs);
        int[] seen = new int[n];
        int mixed = 0;
        for (int[] batch : epoch) {
            assertThat(batch.length).isBetween(1, bs);
            Set<Integer> g = new HashSet<>();
            for (int i : batch) {
                seen[i]++;
                g.add(groups[i]);
            }
            mixed += g.size() > 1 ? 1 : 0;
        }
        assertThat(seen).containsOnly(1);
        int distinctGroups = (int) Arrays.stream(groups).distinct().count();
        assertThat(mixed).isLessThanOrEqualTo(distinctGroups); // only the leftover batches mix buckets

        assertThat(s.epoch(0)).containsExactlyElementsOf(epoch);
        assertThat(flat(s.epoch(1))).isNotEqualTo(flat(epoch));
        assertThat(flat(new LengthGroupedBatchSampler(lengths, bs, true, 512, 43).epoch(0))).isNotEqualTo(flat(epoch));
        assertThat(flat(new LengthGroupedBatchSampler(lengths, bs, true, 512, 42).epoch(0))).isEqualTo(flat(epoch));

        // without grouping: consecutive slices of the permutation
        LengthGroupedBatchSampler plain = new LengthGroupedBatchSampler(lengths, bs, false, 512, 42);
        assertThat(flat(plain.epoch(3))).isEqualTo(plain.permutation(3));
        assertThat(plain.epoch(3).get(0)).hasSize(bs);
    }

    @Test
    void groupingCutsPadding() {
        SplittableRandom r = new SplittableRandom(2);
        int[] lengths = r.ints(20_000, 12, 512).toArray();
        long grouped = padding(new LengthGroupedBatchSampler(lengths, 16, true, 512, 1).epoch(0), lengths);
        long plain = padding(new LengthGroupedBatchSampler(lengths, 16, false, 512, 1).epoch(0), lengths);
        long real = Arrays.stream(lengths).asLongStream().sum();
        assertThat((double) plain / real).isGreaterThan(0.5);
        assertThat((double) grouped / real).isLessThan(0.05);
    }

    @Test
    void collatePadsWithThePadIdAndMasksAttention() {
        TokenSequences data = TokenSequences.of(List.of(new int[] {101, 5, 6, 102}, new int[] {101, 7, 102},
                new int[] {101, 8, 9, 10, 11, 102}));
        PaddedBatch b = PaddedBatch.collate(data, new int[] {1, 0}, 0);
        assertThat(b.batchSize()).isEqualTo(2);
        assertThat(b.seqLen()).isEqualTo(4);
        assertThat(b.tokenIds()).containsExactly(101, 7, 102, 0, 101, 5, 6, 102);
        assertThat(b.attentionMask()).containsExactly(1, 1, 1, 0, 1, 1, 1, 1);
        assertThat(b.lengths()).containsExactly(3, 4);
        assertThat(b.indices()).containsExactly(1, 0);
        assertThat(b.realTokens()).isEqualTo(7);
        PaddedBatch c = PaddedBatch.collate(data, new int[] {2}, 7);
        assertThat(c.tokenIds()).containsExactly(101, 8, 9, 10, 11, 102);
    }

    private static long padding(List<int[]> batches, int[] lengths) {
        long pad = 0;
        for (int[] b : batches) {
            int max = 0;
            for (int i : b) {
                max = Math.max(max, lengths[i]);
            }
            for (int i : b) {
                pad += max - lengths[i];
            }
        }
        return pad;
    }

    private static int[] flat(List<int[]> batches) {
        List<Integer> out = new ArrayList<>();
        for (int[] b : batches) {
            for (int i : b) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }
}
