package dev.distil4j.train.data;

import java.util.Arrays;

/**
 * One encoded example for sequence classification or regression, unpadded (batching pads).
 *
 * @param inputIds      token ids, special tokens included
 * @param attentionMask all ones (no padding yet)
 * @param tokenTypeIds  0 for the first text, 1 for the second of a pair
 * @param labelId       the class id, or {@link #NO_LABEL} (unlabelled data, or a regression task)
 * @param target        the regression target, or NaN for classification
 */
public record SequenceFeature(int[] inputIds, int[] attentionMask, int[] tokenTypeIds, int labelId, float target) {
    /** The label id of an unlabelled example (what GLUE test sets carry). */
    public static final int NO_LABEL = -1;

    public SequenceFeature {
        if (attentionMask.length != inputIds.length || tokenTypeIds.length != inputIds.length) {
            throw new IllegalArgumentException("feature arrays differ in length");
        }
        inputIds = inputIds.clone();
        attentionMask = attentionMask.clone();
        tokenTypeIds = tokenTypeIds.clone();
    }

    public int length() {
        return inputIds.length;
    }

    @Override
    public int[] inputIds() {
        return inputIds.clone();
    }

    @Override
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    @Override
    public int[] tokenTypeIds() {
        return tokenTypeIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceFeature f && Arrays.equals(inputIds, f.inputIds)
                && Arrays.equals(attentionMask, f.attentionMask) && Arrays.equals(tokenTypeIds, f.tokenTypeIds)
                && labelId == f.labelId && Float.compare(target, f.target) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputIds) * 31 + labelId;
    }

    @Override
    public String toString() {
        return "SequenceFeature[inputIds=" + Arrays.toString(inputIds) + ", labelId=" + labelId
                + (Float.isNaN(target) ? "" : ", target=" + target) + "]";
    }
}
