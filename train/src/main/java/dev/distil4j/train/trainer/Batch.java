package dev.distil4j.train.trainer;

import dev.distil4j.model.ModelInput;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import dev.distil4j.train.nn.TrainableModel;

import java.util.Arrays;
import java.util.List;

/**
 * Features padded to the longest in the batch (transformers' {@code DataCollatorWithPadding}): pad id
 * after the tokens, attention mask 0 there, and -100 on padded token labels so the loss skips them.
 *
 * @param tokens the real (unpadded) tokens, for tokens/s
 */
record Batch(Task task, ModelInput input, int rows, int seq, int[] labels, float[] targets, long tokens) {

    /**
     * @param padId     the model's {@code pad_token_id}
     * @param withTypes whether the model takes token type ids (BERT); DistilBERT and RoBERTa get none
     */
    static Batch collate(Task task, List<Feature> data, int[] indices, int padId, boolean withTypes) {
        int rows = indices.length, seq = 0;
        long tokens = 0;
        for (int i : indices) {
            seq = Math.max(seq, data.get(i).length());
            tokens += data.get(i).length();
        }
        int[][] ids = new int[rows][seq], mask = new int[rows][seq], types = withTypes ? new int[rows][seq] : null;
        boolean perToken = task == Task.TOKEN_CLASSIFICATION;
        boolean labelled = task != Task.REGRESSION && data.get(indices[0]).labels() != null;
        int[] labels = !labelled ? null : perToken ? new int[rows * seq] : new int[rows * data.get(indices[0]).labels().length];
        if (perToken) Arrays.fill(labels, Losses.IGNORE_INDEX);
        float[] targets = task == Task.REGRESSION ? new float[rows] : null;
        for (int r = 0; r < rows; r++) {
            Feature f = data.get(indices[r]);
            int n = f.length();
            Arrays.fill(ids[r], padId);
            System.arraycopy(f.inputIds(), 0, ids[r], 0, n);
            Arrays.fill(mask[r], 0, n, 1);
            if (withTypes) System.arraycopy(f.typeIds(), 0, types[r], 0, n);
            if (labels != null) {
                int[] l = f.labels();
                System.arraycopy(l, 0, labels, perToken ? r * seq : r * l.length, l.length);
            }
            if (targets != null) targets[r] = f.target();
        }
        return new Batch(task, new ModelInput(ids, mask, types), rows, seq, labels, targets, tokens);
    }

    /** The task's loss as transformers' heads compute it. */
    Loss loss(TrainableModel.Output out, int numLabels) {
        return switch (task) {
            case TEXT_CLASSIFICATION -> Losses.crossEntropy(out.logits(), rows, numLabels, labels, Losses.IGNORE_INDEX);
            case REGRESSION -> Losses.mse(out.logits(), targets);
            case TOKEN_CLASSIFICATION -> Losses.crossEntropy(out.logits(), rows * seq, numLabels, labels, Losses.IGNORE_INDEX);
            case QUESTION_ANSWERING -> {
                int[] starts = new int[rows], ends = new int[rows];
                for (int r = 0; r < rows; r++) {
                    starts[r] = labels[2 * r];
                    ends[r] = labels[2 * r + 1];
                }
                yield Losses.questionAnswering(out.logits(), rows, seq, starts, ends);
            }
        };
    }
}
