package dev.distil4j.train.metrics;

import java.util.Arrays;

/**
 * Accuracy, F1 and Matthews correlation over class ids, computed as scikit-learn's {@code accuracy_score},
 * {@code f1_score} and {@code matthews_corrcoef} do, so numbers compare directly with GLUE results reported by
 * Hugging Face scripts. Where scikit-learn would warn and return 0 (no positive predicted or true), these return 0.
 */
public final class Classification {
    private Classification() {}

    /**
     * All scores for one evaluation. F1 is the binary F1 of label 1 when {@code numLabels == 2} (GLUE's MRPC, QQP,
     * SST-2 convention), otherwise the unweighted mean of per-class F1 ({@code average="macro"}).
     *
     * @throws IllegalArgumentException on empty or mismatched arrays, {@code numLabels < 2}, or an id outside
     *     {@code [0, numLabels)}
     */
    public static ClassificationMetrics evaluate(int[] predictions, int[] labels, int numLabels) {
        if (numLabels < 2) throw new IllegalArgumentException("numLabels must be at least 2, got " + numLabels);
        check(predictions, labels, numLabels);
        double f1 = numLabels == 2 ? binaryF1(predictions, labels) : macroF1(predictions, labels);
        return new ClassificationMetrics(labels.length, numLabels, accuracy(predictions, labels), f1,
                matthews(predictions, labels));
    }

    /** Fraction of predictions equal to their label. */
    public static double accuracy(int[] predictions, int[] labels) {
        check(predictions, labels, Integer.MAX_VALUE);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) if (predictions[i] == labels[i]) correct++;
        return (double) correct / labels.length;
    }

    /**
     * F1 of the positive class 1, {@code 2tp / (2tp + fp + fn)}; 0 when there is neither a true nor a predicted 1.
     *
     * @throws IllegalArgumentException if an id is not 0 or 1 (use {@link #macroF1} for more classes)
     */
    public static double binaryF1(int[] predictions, int[] labels) {
        check(predictions, labels, 2);
        long tp = 0, predicted = 0, actual = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predictions[i] == 1) predicted++;
            if (labels[i] == 1) actual++;
            if (predictions[i] == 1 && labels[i] == 1) tp++;
        }
        return predicted + actual == 0 ? 0.0 : 2.0 * tp / (predicted + actual);
    }

    /**
     * Unweighted mean of per-class F1 over the classes that occur in the labels or the predictions (scikit-learn's
     * default label set), so a class absent from both does not pull the mean down.
     */
    public static double macroF1(int[] predictions, int[] labels) {
        check(predictions, labels, Integer.MAX_VALUE);
        Counts c = Counts.of(predictions, labels);
        double sum = 0;
        for (int k = 0; k < c.classes(); k++) sum += 2.0 * c.tp[k] / (c.predicted[k] + c.actual[k]);
        return sum / c.classes();
    }

    /**
     * Matthews correlation coefficient in its multiclass form (Gorodkin's R_K, as scikit-learn); 0 when it is
     * undefined, i.e. when all labels or all predictions are one class.
     */
    public static double matthews(int[] predictions, int[] labels) {
        check(predictions, labels, Integer.MAX_VALUE);
        Counts c = Counts.of(predictions, labels);
        double n = labels.length, correct = 0, tp = 0, pp = 0, tt = 0;
        for (int k = 0; k < c.classes(); k++) {
            correct += c.tp[k];
            tp += (double) c.actual[k] * c.predicted[k];
            pp += (double) c.predicted[k] * c.predicted[k];
            tt += (double) c.actual[k] * c.actual[k];
        }
        double covTrueTrue = n * n - tt, covPredPred = n * n - pp;
        if (covTrueTrue * covPredPred == 0) return 0.0;
        return (correct * n - tp) / Math.sqrt(covTrueTrue * covPredPred);
    }

    /** Per-class true positives, predicted and true counts, over the sorted classes seen in either array. */
    private record Counts(long[] tp, long[] predicted, long[] actual) {
        int classes() {
            return tp.length;
        }

        static Counts of(int[] predictions, int[] labels) {
            int[] ids = new int[predictions.length + labels.length];
            System.arraycopy(predictions, 0, ids, 0, predictions.length);
            System.arraycopy(labels, 0, ids, predictions.length, labels.length);
            int[] classes = Arrays.stream(ids).sorted().distinct().toArray();
            Counts c = new Counts(new long[classes.length], new long[classes.length], new long[classes.length]);
            for (int i = 0; i < labels.length; i++) {
                int p = Arrays.binarySearch(classes, predictions[i]), t = Arrays.binarySearch(classes, labels[i]);
                c.predicted[p]++;
                c.actual[t]++;
                if (p == t) c.tp[p]++;
            }
            return c;
        }
    }

    private static void check(int[] predictions, int[] labels, int bound) {
        if (predictions.length != labels.length) {
            throw new IllegalArgumentException(predictions.length + " predictions but " + labels.length + " labels");
        }
        if (labels.length == 0) throw new IllegalArgumentException("no examples to evaluate");
        checkIds("predictions", predictions, bound);
        checkIds("labels", labels, bound);
    }

    private static void checkIds(String what, int[] ids, int bound) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= bound) {
                String range = bound == Integer.MAX_VALUE ? "a class id >= 0" : "in [0, " + bound + ")";
                throw new IllegalArgumentException(what + "[" + i + "] = " + ids[i] + " is not " + range
                        + (bound == 2 ? " (binary F1 needs ids 0 and 1; use macroF1 for more classes)" : ""));
            }
        }
    }
}
