package dev.distil4j.train.trainer;

/**
 * One encoded, unpadded example in the form every task batches the same way.
 *
 * @param inputIds token ids, special tokens included
 * @param typeIds  token type ids (0 for the first text, 1 for the second)
 * @param labels   text classification: {class id}; token classification: a tag id per token, -100 where no
 *                 loss is taken; QA training: {start, end} token positions; null when there is nothing to learn
 *                 (QA evaluation windows, regression)
 * @param target   regression: the number to predict; NaN otherwise
 */
record Feature(int[] inputIds, int[] typeIds, int[] labels, float target) {
    int length() {
        return inputIds.length;
    }
}
