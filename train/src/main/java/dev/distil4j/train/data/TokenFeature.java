package dev.distil4j.train.data;

import java.util.Arrays;

/**
 * One encoded sentence for token classification, unpadded.
 *
 * @param inputIds      token ids, special tokens included
 * @param attentionMask all ones (no padding yet)
 * @param tokenTypeIds  all zeros (one sequence)
 * @param labels        per token: the tag id on the first piece of each word, {@link #IGNORE} elsewhere
 *                      (what the cross-entropy loss skips)
 * @param wordIds       per token: the index of its word in the example, or -1 for special tokens; maps
 *                      predictions back to words for evaluation
 */
public record TokenFeature(int[] inputIds, int[] attentionMask, int[] tokenTypeIds, int[] labels, int[] wordIds) {
    /** PyTorch's {@code ignore_index}: no loss on this token. */
    public static final int IGNORE = -100;

    public TokenFeature {
        int n = inputIds.length;
        if (attentionMask.length != n || tokenTypeIds.length != n || labels.length != n || wordIds.length != n) {
            throw new IllegalArgumentException("feature arrays differ in length");
        }
        inputIds = inputIds.clone();
        attentionMask = attentionMask.clone();
        tokenTypeIds = tokenTypeIds.clone();
        labels = labels.clone();
        wordIds = wordIds.clone();
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
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public int[] wordIds() {
        return wordIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenFeature f && Arrays.equals(inputIds, f.inputIds)
                && Arrays.equals(attentionMask, f.attentionMask) && Arrays.equals(tokenTypeIds, f.tokenTypeIds)
                && Arrays.equals(labels, f.labels) && Arrays.equals(wordIds, f.wordIds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputIds) * 31 + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "TokenFeature[inputIds=" + Arrays.toString(inputIds) + ", labels=" + Arrays.toString(labels) + "]";
    }
}
