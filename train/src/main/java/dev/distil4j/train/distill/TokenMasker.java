package dev.distil4j.train.distill;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The MLM masking of the research project's {@code Distiller.prepare_batch_mlm}. Per batch:
 * <ol>
 *   <li>{@code n = ceil(mlmMaskProp * real tokens)} positions are drawn without replacement, each with
 *       probability proportional to the smoothed weight {@code max(count, 1)^-mlmSmoothing} of its token
 *       (special tokens weigh 0, so cls/sep/pad/unk/mask are never drawn; padding never is either);</li>
 *   <li>each drawn position independently becomes the mask token (wordMask), stays (wordKeep) or becomes an
 *       id drawn uniformly from {@code [0, vocabSize)} (wordRand; like {@code random_(vocab_size)}, special
 *       ids and the original included);</li>
 *   <li>labels hold the original id at drawn positions and {@link MlmBatch#IGNORE} elsewhere.</li>
 * </ol>
 * Rare tokens are thus drawn more often per occurrence than frequent ones, so the student is not trained
 * mostly on "the" and ",". The half-precision rounding of the batch to multiples of 8 is not reproduced.
 * Immutable and thread-safe; randomness comes from the caller's generator.
 */
public final class TokenMasker {
    private final double[] weights;
    private final int maskId;
    private final int padId;
    private final MaskingOptions options;

    /**
     * @param weights per vocabulary id, the unnormalised selection weight (0 = never); its length is the
     *        vocabulary size random replacements are drawn from
     */
    public TokenMasker(double[] weights, SpecialTokenIds specials, MaskingOptions options) {
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0");
            }
        }
        if (specials.mask() >= weights.length || specials.pad() >= weights.length) {
            throw new IllegalArgumentException("special ids outside the vocabulary of " + weights.length);
        }
        this.weights = weights.clone();
        this.maskId = specials.mask();
        this.padId = specials.pad();
        this.options = options;
    }

    /** train.py's set-up: weights from the corpus counts with the options' smoothing, 0 for every special id. */
    public static TokenMasker fromCounts(TokenCounts counts, SpecialTokenIds specials, MaskingOptions options) {
        return new TokenMasker(counts.maskingWeights(options.mlmSmoothing(), specials.all()), specials, options);
    }

    public int vocabSize() {
        return weights.length;
    }

    public MaskingOptions options() {
        return options;
    }

    /** The selection weight of token {@code id}. */
    public double weight(int id) {
        return weights[id];
    }

    /** Masks {@code batch} with the generator of (seed, step): any step can be re-created on its own. */
    public MlmBatch mask(PaddedBatch batch, long seed, long step) {
        return mask(batch, new SplittableRandom(Seeds.mix(seed, 0x4D41_534BL, step)));
    }

    /** Masks {@code batch} drawing from {@code rng}: same generator state, same masks. */
    public MlmBatch mask(PaddedBatch batch, RandomGenerator rng) {
        int bs = batch.batchSize();
        int t = batch.seqLen();
        int[] ids = batch.tokenIds();
        int n = bs * t;
        double[] w = new double[n];
        for (int b = 0; b < bs; b++) {
            int len = batch.lengthAt(b);
            for (int p = 0; p < len; p++) {
                int id = ids[b * t + p];
                if (id < 0 || id >= weights.length) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + weights.length);
                }
                // the distiller also clears any selected position that holds the pad id
                w[b * t + p] = id == padId ? 0 : weights[id];
            }
        }
        int nTarget = (int) Math.ceil(options.mlmMaskProp() * batch.realTokens());
        int[] selected = WeightedSampling.sampleWithoutReplacement(w, nTarget, rng);

        boolean[] pred = new boolean[n];
        int[] labels = new int[n];
        java.util.Arrays.fill(labels, MlmBatch.IGNORE);
        double pMask = options.wordMask();
        double pMaskOrKeep = options.wordMask() + options.wordKeep();
        for (int pos : selected) { // ascending = row-major, the order masked_scatter fills
            pred[pos] = true;
            labels[pos] = ids[pos];
            double u = rng.nextDouble();
            if (u < pMask) {
                ids[pos] = maskId;
            } else if (u >= pMaskOrKeep && options.wordRand() > 0) {
                ids[pos] = rng.nextInt(weights.length);
            }
        }
        return new MlmBatch(bs, t, ids, batch.attentionMask(), labels, pred, batch.lengths());
    }
}
