package dev.distil4j.train.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One window of a QA training example, unpadded: the question, a stretch of the context, and where the
 * answer lies in it.
 *
 * @param exampleId     the question id it came from
 * @param inputIds      token ids, special tokens included
 * @param attentionMask all ones (no padding yet)
 * @param tokenTypeIds  0 for the first sequence, 1 for the second
 * @param startPosition index of the answer's first token, or the CLS index (0) when the answer is not
 *                      wholly inside this window or the question has none
 * @param endPosition   index of the answer's last token (inclusive), or the CLS index
 */
public record QaTrainFeature(String exampleId, int[] inputIds, int[] attentionMask, int[] tokenTypeIds,
                             int startPosition, int endPosition) {
    public QaTrainFeature {
        Objects.requireNonNull(exampleId, "exampleId");
        int n = inputIds.length;
        if (attentionMask.length != n || tokenTypeIds.length != n) {
            throw new IllegalArgumentException("feature arrays differ in length");
        }
        if (startPosition < 0 || startPosition >= n || endPosition < startPosition || endPosition >= n) {
            throw new IllegalArgumentException("answer positions " + startPosition + ".." + endPosition
                    + " do not fit " + n + " tokens");
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
        return o instanceof QaTrainFeature f && exampleId.equals(f.exampleId) && Arrays.equals(inputIds, f.inputIds)
                && Arrays.equals(attentionMask, f.attentionMask) && Arrays.equals(tokenTypeIds, f.tokenTypeIds)
                && startPosition == f.startPosition && endPosition == f.endPosition;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputIds) * 31 + startPosition * 7 + endPosition;
    }

    @Override
    public String toString() {
        return "QaTrainFeature[exampleId=" + exampleId + ", inputIds=" + Arrays.toString(inputIds) + ", start="
                + startPosition + ", end=" + endPosition + "]";
    }
}
