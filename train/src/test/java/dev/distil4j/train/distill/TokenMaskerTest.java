package dev.distil4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.Shared;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenMaskerTest {
    private SpecialTokenIds specials;
    private TokenSequences cleaned;
    private TokenCounts counts;
    private TokenMasker masker;
    private int vocab;

    /** SST-2's training sentences through bert-base-uncased: a real corpus with real token frequencies. */
    @BeforeAll
    void corpus() throws IOException {
        Tokenizer bert = Tokenizer.fromDirectory(Shared.path("fixtures/vocab/bert-base-uncased"));
        CorpusBinarizer bin = new CorpusBinarizer(bert);
        List<String> lines = Sst2.sentences(Integer.MAX_VALUE);
        TokenSequences raw = TokenSequences.of(lines.parallelStream().map(bin::encodeLine).toList());
        specials = SpecialTokenIds.of(bert);
        vocab = bert.vocabSize();
        counts = TokenCounts.count(raw, vocab);
        cleaned = SequenceCleaner.clean(raw, specials, SequenceCleaner.Options.DEFAULT).sequences();
        masker = TokenMasker.fromCounts(counts, specials, MaskingOptions.DEFAULT);
    }

    @Test
    void maskingStatisticsOnAMillionTokens() {
        DistillationBatches batches = new DistillationBatches(cleaned, specials, masker, 32, true, 512, 2024);
        long real = 0;
        long selected = 0;
        long nMask = 0;
        long nKeep = 0;
        long nRand = 0;
        double randSum = 0;
        int[] special = specials.all();
        for (int epoch = 0; real < 1_000_000; epoch++) {
            List<int[]> plan = batches.plan(epoch);
            Iterator<MlmBatch> it = batches.epoch(epoch).iterator();
            for (int[] rows : plan) {
                PaddedBatch p = PaddedBatch.collate(cleaned, rows, specials.pad());
                MlmBatch m = it.next();
                assertThat(m.numPredictions()).isEqualTo((int) Math.ceil(0.15 * p.realTokens()));
                assertThat(m.attentionMask()).containsExactly(p.attentionMask());
                assertThat(m.lengths()).containsExactly(p.lengths());
                real += p.realTokens();
                int[] orig = p.tokenIds();
                int[] in = m.inputIds();
                int[] labels = m.labels();
                boolean[] pred = m.predictionMask();
                int[] att = p.attentionMask();
                for (int i = 0; i < orig.length; i++) {
                    if (!pred[i]) {
                        assertThat(labels[i]).isEqualTo(MlmBatch.IGNORE);
                        assertThat(in[i]).isEqualTo(orig[i]);
                        continue;
                    }
                    selected++;
                    assertThat(att[i]).as("padding is never selected").isEqualTo(1);
                    assertThat(java.util.Arrays.binarySearch(special, orig[i])).as("special token selected").isNegative();
                    assertThat(labels[i]).isEqualTo(orig[i]);
                    if (in[i] == specials.mask()) {
                        nMask++;
                    } else if (in[i] == orig[i]) {
                        nKeep++;
                    } else {
                        nRand++;
                        randSum += in[i];
                    }
                }
            }
        }
        assertThat(real).isGreaterThanOrEqualTo(1_000_000);
        double p = 0.15;
        assertThat((double) selected / real).isCloseTo(p, offset(3 * Math.sqrt(p * (1 - p) / real)));
        // a random replacement can draw the mask id or the original itself (1/V each)
        double v = vocab;
        double[] expected = {0.8 + 0.1 / v, 0.1 + 0.1 / v, 0.1 * (1 - 2 / v)};
        long[] observed = {nMask, nKeep, nRand};
        for (int k = 0; k < 3; k++) {
            double e = expected[k];
            assertThat((double) observed[k] / selected).as("share %d", k)
                    .isCloseTo(e, offset(3 * Math.sqrt(e * (1 - e) / selected)));
        }
        // random ids are uniform over [0, V): mean (V - 1) / 2, standard deviation V / sqrt(12)
        double sd = v / Math.sqrt(12) / Math.sqrt(nRand);
        assertThat(randSum / nRand).isCloseTo((v - 1) / 2, offset(4 * sd));
    }

    @Test
    void rareTokensAreSelectedMoreOftenAsCountsToTheMinusSmoothingPredict() {
        // ids: 0 pad, 1 unk, 2 cls, 3 sep, 4 mask; 10..13 occur 40, 10, 4 and 1 times per sequence
        SpecialTokenIds sp = new SpecialTokenIds(2, 3, 0, 4, 1);
        int[] types = {10, 11, 12, 13};
        int[] perSeq = {40, 10, 4, 1};
        SplittableRandom r = new SplittableRandom(9);
        List<int[]> seqs = new ArrayList<>();
        for (int s = 0; s < 1000; s++) {
            int[] q = new int[57];
            int j = 1;
            for (int t = 0; t < types.length; t++) {
                for (int c = 0; c < perSeq[t]; c++) {
                    q[j++] = types[t];
                }
            }
            for (int i = 55; i > 1; i--) { // shuffle the content positions
                int k = 1 + r.nextInt(i);
                int x = q[i];
                q[i] = q[k];
                q[k] = x;
            }
            q[0] = 2;
            q[56] = 3;
            seqs.add(q);
        }
        TokenSequences corpus = TokenSequences.of(seqs);
        TokenCounts c = TokenCounts.count(corpus, 20);
        assertThat(c.count(10)).isEqualTo(40_000);
        assertThat(c.count(13)).isEqualTo(1_000);
        TokenMasker m = TokenMasker.fromCounts(c, sp, MaskingOptions.DEFAULT);

        // batches of 64 sequences: 3648 real tokens, ceil(0.15 * 3648) = 548 draws
        double[] rate = selectionRates(m, corpus, types, 300, new SplittableRandom(9)); // 1.09 M tokens
        // with exponential keys E/w, a token of weight w is drawn when E/w falls under the batch's threshold t:
        // P = 1 - exp(-w t), where t makes the expected number of draws 548 (finite batches shift this by
        // at most 5e-4: the threshold fluctuates and P is concave in it)
        double[] w = new double[4];
        int[] nPerBatch = new int[4];
        for (int k = 0; k < 4; k++) {
            w[k] = Math.pow(c.count(types[k]), -0.7);
            nPerBatch[k] = perSeq[k] * 64;
            assertThat(m.weight(types[k])).isCloseTo(w[k], offset(1e-15));
        }
        double lo = 0;
        double hi = 1e6;
        for (int it = 0; it < 200; it++) {
            double t = (lo + hi) / 2;
            double e = 0;
            for (int k = 0; k < 4; k++) {
                e += nPerBatch[k] * -Math.expm1(-w[k] * t);
            }
            if (e < 548) {
                lo = t;
            } else {
                hi = t;
            }
        }
        for (int k = 0; k < 4; k++) {
            double predicted = -Math.expm1(-w[k] * lo);
            long occurrences = 300L * nPerBatch[k];
            double sigma = Math.sqrt(predicted * (1 - predicted) / occurrences);
            assertThat(rate[k]).as("type %d", k).isCloseTo(predicted, offset(3 * sigma + 1e-3));
        }
        assertThat(rate[3]).isGreaterThan(rate[2]);
        assertThat(rate[2]).isGreaterThan(rate[1]);
        assertThat(rate[1]).isGreaterThan(rate[0]);
        assertThat(rate[3]).isGreaterThan(7 * rate[0]); // 40x rarer: 7.6x more often per occurrence here

        // without smoothing every ordinary token is equally likely: 548 of the 3520 content tokens
        TokenMasker flat = TokenMasker.fromCounts(c, sp, MaskingOptions.DEFAULT.withMlmSmoothing(0));
        double[] flatRate = selectionRates(flat, corpus, types, 100, new SplittableRandom(10));
        for (int k = 0; k < 4; k++) {
            double p = 548.0 / 3520;
            assertThat(flatRate[k]).isCloseTo(p, offset(4 * Math.sqrt(p * (1 - p) / (100.0 * nPerBatch[k]))));
        }
    }

    /** Per type, the share of its occurrences selected over {@code nBatches} random batches of 64 sequences. */
    private static double[] selectionRates(TokenMasker m, TokenSequences corpus, int[] types, int nBatches,
                                           SplittableRandom r) {
        long[] occ = new long[types.length];
        long[] hit = new long[types.length];
        for (int step = 0; step < nBatches; step++) {
            int[] rows = r.ints(64, 0, corpus.size()).toArray();
            PaddedBatch p = PaddedBatch.collate(corpus, rows, 0);
            MlmBatch b = m.mask(p, 77, step);
            assertThat(b.numPredictions()).isEqualTo(548);
            int[] orig = p.tokenIds();
            int[] labels = b.labels();
            for (int i = 0; i < labels.length; i++) {
                int t = orig[i] - types[0];
                if (t >= 0) {
                    occ[t]++;
                    hit[t] += labels[i] != MlmBatch.IGNORE ? 1 : 0;
                }
            }
        }
        double[] rate = new double[types.length];
        for (int k = 0; k < types.length; k++) {
            rate[k] = (double) hit[k] / occ[k];
        }
        return rate;
    }

    @Test
    void sameSeedSameMasksOtherSeedOtherMasks() {
        PaddedBatch p = PaddedBatch.collate(cleaned, java.util.stream.IntStream.range(100, 132).toArray(), specials.pad());
        MlmBatch a = masker.mask(p, 5, 0);
        assertThat(masker.mask(p, 5, 0)).isEqualTo(a);
        assertThat(masker.mask(p, new SplittableRandom(99))).isEqualTo(masker.mask(p, new SplittableRandom(99)));
        assertThat(masker.mask(p, 6, 0).predictionMask()).isNotEqualTo(a.predictionMask());
        assertThat(masker.mask(p, 5, 1).predictionMask()).isNotEqualTo(a.predictionMask());

        DistillationBatches one = new DistillationBatches(cleaned, specials, masker, 16, true, 512, 7);
        DistillationBatches two = new DistillationBatches(cleaned, specials, masker, 16, true, 512, 7);
        DistillationBatches other = new DistillationBatches(cleaned, specials, masker, 16, true, 512, 8);
        Iterator<MlmBatch> i1 = one.epoch(0).iterator();
        Iterator<MlmBatch> i2 = two.epoch(0).iterator();
        Iterator<MlmBatch> i3 = other.epoch(0).iterator();
        for (int step = 0; step < 20; step++) {
            MlmBatch b1 = i1.next();
            assertThat(i2.next()).isEqualTo(b1);
            assertThat(one.batch(0, step)).isEqualTo(b1); // any step can be re-created alone
            assertThat(i3.next()).isNotEqualTo(b1);
        }
        assertThat(one.batch(1, 0)).isNotEqualTo(one.batch(0, 0));
    }

    @Test
    void optionsChangeWhatHappens() {
        PaddedBatch p = PaddedBatch.collate(cleaned, java.util.stream.IntStream.range(0, 64).toArray(), specials.pad());
        TokenMasker allMask = TokenMasker.fromCounts(counts, specials, MaskingOptions.DEFAULT.withSplit(1, 0, 0));
        MlmBatch b = allMask.mask(p, 1, 0);
        for (int i = 0; i < p.batchSize() * p.seqLen(); i++) {
            if (b.predictionMask()[i]) {
                assertThat(b.inputIds()[i]).isEqualTo(specials.mask());
            }
        }
        TokenMasker keep = TokenMasker.fromCounts(counts, specials, MaskingOptions.DEFAULT.withSplit(0, 1, 0));
        assertThat(keep.mask(p, 1, 0).inputIds()).containsExactly(p.tokenIds());
        TokenMasker none = TokenMasker.fromCounts(counts, specials, MaskingOptions.DEFAULT.withMlmMaskProp(0));
        assertThat(none.mask(p, 1, 0).numPredictions()).isZero();
        TokenMasker half = TokenMasker.fromCounts(counts, specials, MaskingOptions.DEFAULT.withMlmMaskProp(0.5));
        assertThat(half.mask(p, 1, 0).numPredictions()).isEqualTo((int) Math.ceil(0.5 * p.realTokens()));

        MlmBatch d = masker.mask(p, 3, 0);
        assertThat(d.distillationMask(true)).containsExactly(d.predictionMask());
        boolean[] attended = d.distillationMask(false);
        int[] att = d.attentionMask();
        for (int i = 0; i < att.length; i++) {
            assertThat(attended[i]).isEqualTo(att[i] == 1);
        }
        assertThatThrownBy(() -> new MaskingOptions(0.15, 0.8, 0.1, 0.2, 0.7)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MaskingOptions(1.5, 0.8, 0.1, 0.1, 0.7)).isInstanceOf(IllegalArgumentException.class);
    }
}
