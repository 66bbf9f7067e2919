package dev.distil4j.train.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scores of a classification evaluation.
 *
 * @param examples how many examples were scored
 * @param numLabels the number of classes the model predicts
 * @param accuracy fraction correct
 * @param f1 binary F1 of label 1 when {@code numLabels == 2}, otherwise macro-F1
 * @param mcc Matthews correlation coefficient, 0 when undefined
 */
public record ClassificationMetrics(int examples, int numLabels, double accuracy, double f1, double mcc) {
    /** {@code accuracy, f1, mcc, examples}, in that order, for a table or a JSON line. */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("f1", f1);
        m.put("mcc", mcc);
        m.put("examples", (double) examples);
        return Collections.unmodifiableMap(m);
    }
}
