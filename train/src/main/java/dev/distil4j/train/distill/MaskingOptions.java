package dev.distil4j.train.distill;

/**
 * The masking knobs of the research project's train.py, with its defaults.
 *
 * @param mlmMaskProp share of a batch's real tokens selected for prediction (0.15)
 * @param wordMask share of the selected replaced by the mask token (0.8)
 * @param wordKeep share of the selected left unchanged (0.1)
 * @param wordRand share of the selected replaced by a uniformly random vocabulary id (0.1)
 * @param mlmSmoothing exponent of the frequency smoothing, weight = max(count, 1)^-smoothing (0.7)
 */
public record MaskingOptions(double mlmMaskProp, double wordMask, double wordKeep, double wordRand,
                             double mlmSmoothing) {

    public static final MaskingOptions DEFAULT = new MaskingOptions(0.15, 0.8, 0.1, 0.1, 0.7);

    public MaskingOptions {
        if (!(mlmMaskProp >= 0 && mlmMaskProp <= 1)) {
            throw new IllegalArgumentException("mlmMaskProp must be in [0, 1], got " + mlmMaskProp);
        }
        if (!(wordMask >= 0 && wordKeep >= 0 && wordRand >= 0)) {
            throw new IllegalArgumentException("wordMask, wordKeep and wordRand must be >= 0");
        }
        if (Math.abs(wordMask + wordKeep + wordRand - 1.0) > 1e-9) {
            throw new IllegalArgumentException("wordMask + wordKeep + wordRand must be 1, got "
                    + (wordMask + wordKeep + wordRand));
        }
        if (!(mlmSmoothing >= 0) || Double.isInfinite(mlmSmoothing)) {
            throw new IllegalArgumentException("mlmSmoothing must be a finite number >= 0");
        }
    }

    public MaskingOptions withMlmMaskProp(double p) {
        return new MaskingOptions(p, wordMask, wordKeep, wordRand, mlmSmoothing);
    }

    public MaskingOptions withSplit(double mask, double keep, double rand) {
        return new MaskingOptions(mlmMaskProp, mask, keep, rand, mlmSmoothing);
    }

    public MaskingOptions withMlmSmoothing(double s) {
        return new MaskingOptions(mlmMaskProp, wordMask, wordKeep, wordRand, s);
    }
}
