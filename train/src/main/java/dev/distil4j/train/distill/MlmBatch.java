package dev.distil4j.train.distill;

import java.util.Arrays;

/**
 * A batch ready for one distillation step ({@code Distiller.prepare_batch_mlm}'s output), row-major
 * {@code [batchSize, seqLen]}: the masked inputs that both teacher and student read, the attention mask,
 * the MLM labels, and which positions were selected for prediction. Immutable: accessors return copies.
 *
 * @param inputIds ids after masking (selected positions replaced by mask, a random id, or kept)
 * @param attentionMask 1 at real tokens, 0 at padding
 * @param labels the original id at selected positions, {@link #IGNORE} elsewhere
 * @param predictionMask true at the selected positions ({@code pred_mask})
 */
public record MlmBatch(int batchSize, int seqLen, int[] inputIds, int[] attentionMask, int[] labels,
                       boolean[] predictionMask, int[] lengths) {

    /** The label of positions without a prediction (PyTorch's {@code ignore_index}). */
    public static final int IGNORE = -100;

    public MlmBatch {
        int n = batchSize * seqLen;
        if (batchSize <= 0 || seqLen <= 0 || inputIds.length != n || attentionMask.length != n || labels.length != n
                || predictionMask.length != n || lengths.length != batchSize) {
            throw new IllegalArgumentException("inconsistent batch shape");
        }
        for (int i = 0; i < n; i++) {
            if (predictionMask[i] == (labels[i] == IGNORE)) {
                throw new IllegalArgumentException("labels and prediction mask disagree at " + i);
            }
        }
        inputIds = inputIds.clone();
        attentionMask = attentionMask.clone();
        labels = labels.clone();
        predictionMask = predictionMask.clone();
        lengths = lengths.clone();
    }

    /**
     * The positions the distillation (soft cross-entropy) loss covers: the selected ones when
     * {@code restrictCeToMask} (the research project's {@code --restrict_ce_to_mask}, {@code lm_labels > -1}),
     * otherwise every attended position.
     */
    public boolean[] distillationMask(boolean restrictCeToMask) {
        if (restrictCeToMask) {
            return predictionMask.clone();
        }
        boolean[] m = new boolean[attentionMask.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = attentionMask[i] != 0;
        }
        return m;
    }

    /** Number of selected positions. */
    public int numPredictions() {
        int c = 0;
        for (boolean b : predictionMask) {
            c += b ? 1 : 0;
        }
        return c;
    }

    public int inputIdAt(int row, int pos) {
        return inputIds[row * seqLen + pos];
    }

    public int labelAt(int row, int pos) {
        return labels[row * seqLen + pos];
    }

    public boolean isPredictedAt(int row, int pos) {
        return predictionMask[row * seqLen + pos];
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
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public boolean[] predictionMask() {
        return predictionMask.clone();
    }

    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MlmBatch m && batchSize == m.batchSize && seqLen == m.seqLen
                && Arrays.equals(inputIds, m.inputIds) && Arrays.equals(attentionMask, m.attentionMask)
                && Arrays.equals(labels, m.labels) && Arrays.equals(predictionMask, m.predictionMask)
                && Arrays.equals(lengths, m.lengths);
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(inputIds) * 31 + Arrays.hashCode(labels)) * 31 + Arrays.hashCode(predictionMask);
    }

    @Override
    public String toString() {
        return "MlmBatch[" + batchSize + " x " + seqLen + ", " + numPredictions() + " predictions]";
    }
}
