package dev.distil4j.train.distill;

import java.util.List;

/**
 * The whole data side of a distillation epoch: the cleaned corpus, batched by {@link LengthGroupedBatchSampler},
 * padded, and masked by {@link TokenMasker}. Every batch is a pure function of (seed, epoch, step), so a run
 * can resume at any step and two runs with one seed see the same data.
 */
public final class DistillationBatches {
    private final TokenSequences data;
    private final SpecialTokenIds specials;
    private final TokenMasker masker;
    private final LengthGroupedBatchSampler sampler;
    private final long seed;

    /**
     * @param data the cleaned sequences ({@link SequenceCleaner})
     * @param maxModelInputSize the teacher's maximum input length, which sets the length buckets
     */
    public DistillationBatches(TokenSequences data, SpecialTokenIds specials, TokenMasker masker, int batchSize,
                               boolean groupBySize, int maxModelInputSize, long seed) {
        this.data = data;
        this.specials = specials;
        this.masker = masker;
        this.sampler = new LengthGroupedBatchSampler(data.lengths(), batchSize, groupBySize, maxModelInputSize, seed);
        this.seed = seed;
    }

    public int batchesPerEpoch() {
        return sampler.numBatches();
    }

    /** The dataset indices of each batch of {@code epoch}. */
    public List<int[]> plan(int epoch) {
        return sampler.epoch(epoch);
    }

    /** Batch {@code step} of {@code epoch}, padded but not masked (recomputes the epoch's plan: iterate {@link #epoch} in loops). */
    public PaddedBatch padded(int epoch, int step) {
        return PaddedBatch.collate(data, plan(epoch).get(step), specials.pad());
    }

    /** Batch {@code step} of {@code epoch}, masked. */
    public MlmBatch batch(int epoch, int step) {
        return masker.mask(padded(epoch, step), seed ^ Seeds.mix64(epoch), step);
    }

    /** All batches of {@code epoch}, in order, produced lazily. */
    public Iterable<MlmBatch> epoch(int epoch) {
        List<int[]> plan = plan(epoch);
        long epochSeed = seed ^ Seeds.mix64(epoch);
        return () -> new java.util.Iterator<>() {
            private int step;

            @Override
            public boolean hasNext() {
                return step < plan.size();
            }

            @Override
            public MlmBatch next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                PaddedBatch p = PaddedBatch.collate(data, plan.get(step), specials.pad());
                return masker.mask(p, epochSeed, step++);
            }
        };
    }
}
