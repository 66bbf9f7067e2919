package dev.distil4j.train.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One window of a QA example for evaluation or prediction, unpadded, with what postprocessing needs to
 * turn the model's logits into a span of the context.
 *
 * @param exampleId     the question id it came from
 * @param inputIds      token ids, special tokens included
 * @param attentionMask all ones (no padding yet)
 * @param tokenTypeIds  0 for the first sequence, 1 for the second
 * @param offsetMapping per token {@code {start, end}}, UTF-16 indices into the context, or null for a token
 *                      that is not part of the context (question, special tokens), so that no answer can
 *                      start or end there
 */
public record QaEvalFeature(String exampleId, int[] inputIds, int[] attentionMask, int[] tokenTypeIds,
                            int[][] offsetMapping) {
    public QaEvalFeature {
        Objects.requireNonNull(exampleId, "exampleId");
        int n = inputIds.length;
        if (attentionMask.length != n || tokenTypeIds.length != n || offsetMapping.length != n) {
            throw new IllegalArgumentException("feature arrays differ in length");
        }
        inputIds = inputIds.clone();
        attentionMask = attentionMask.clone();
        tokenTypeIds = tokenTypeIds.clone();
        offsetMapping = deepCopy(offsetMapping);
    }

    public int length() {
        return inputIds.length;
    }

    /** Whether token {@code i} belongs to the context. */
    public boolean isContext(int i) {
        return offsetMapping[i] != null;
    }

    /** UTF-16 start of context token {@code i}. */
    public int startAt(int i) {
        return offsetMapping[i][0];
    }

    /** UTF-16 end of context token {@code i}. */
    public int endAt(int i) {
        return offsetMapping[i][1];
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
    public int[][] offsetMapping() {
        return deepCopy(offsetMapping);
    }

    private static int[][] deepCopy(int[][] m) {
        int[][] r = new int[m.length][];
        for (int i = 0; i < m.length; i++) {
            if (m[i] != null) {
                if (m[i].length != 2) {
                    throw new IllegalArgumentException("offset " + i + " must be {start, end} or null");
                }
                r[i] = m[i].clone();
            }
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QaEvalFeature f && exampleId.equals(f.exampleId) && Arrays.equals(inputIds, f.inputIds)
                && Arrays.equals(attentionMask, f.attentionMask) && Arrays.equals(tokenTypeIds, f.tokenTypeIds)
                && Arrays.deepEquals(offsetMapping, f.offsetMapping);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputIds) * 31 + exampleId.hashCode();
    }

    @Override
    public String toString() {
        return "QaEvalFeature[exampleId=" + exampleId + ", inputIds=" + Arrays.toString(inputIds) + "]";
    }
}
