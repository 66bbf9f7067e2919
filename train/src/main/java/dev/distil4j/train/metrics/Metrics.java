package dev.distil4j.train.metrics;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * One call per fine-tuning task, each returning the task's scores as an ordered, unmodifiable map that ends with
 * {@code examples} (the count), so a trainer can print a table or {@link #toJson write one JSON object} without
 * knowing which metrics the task has. The key names are those of Hugging Face's example scripts.
 */
public final class Metrics {
    private Metrics() {}

    /** {@code accuracy, f1, mcc, examples}; see {@link Classification#evaluate}. */
    public static Map<String, Double> textClassification(int[] predictions, int[] labels, int numLabels) {
        return Classification.evaluate(predictions, labels, numLabels).toMap();
    }

    /** {@code pearson, spearmanr, mse, examples}; see {@link Regression}. */
    public static Map<String, Double> regression(double[] predictions, double[] labels) {
        return Regression.evaluate(predictions, labels).toMap();
    }

    /** {@link #regression(double[], double[])} for float model outputs. */
    public static Map<String, Double> regression(float[] predictions, float[] labels) {
        return Regression.evaluate(predictions, labels).toMap();
    }

    /** {@code precision, recall, f1, accuracy, examples} (entity-level, micro); see {@link SeqEval#evaluate}. */
    public static Map<String, Double> tokenClassification(List<List<String>> trueTags,
            List<List<String>> predictedTags) {
        return SeqEval.evaluate(trueTags, predictedTags).toMap();
    }

    /** {@code exact_match, f1, examples} for v1.1, the official v2.0 keys for v2.0; see {@link Squad#evaluate}. */
    public static Map<String, Double> questionAnswering(List<List<String>> goldAnswers, List<String> predictions,
            Squad.Version version) {
        return Squad.evaluate(goldAnswers, predictions, version).toMap();
    }

    /**
     * One JSON object in the map's order, e.g. {@code {"accuracy":0.9128,"f1":0.9137,"examples":872}}. Counts
     * ({@code examples} and keys ending in {@code _total}) are written as integers; NaN, infinite or missing scores
     * are written as {@code null}, since JSON has no NaN and a strict parser would reject the line.
     */
    public static String toJson(Map<String, Double> metrics) {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String key = e.getKey();
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v)) {
                json.putNull(key);
            } else if (key.equals("examples") || key.endsWith("_total")) {
                json.put(key, v.longValue());
            } else {
                json.put(key, v);
            }
        }
        return json.toString();
    }
}
