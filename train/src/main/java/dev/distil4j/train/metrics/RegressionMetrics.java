package dev.distil4j.train.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scores of a regression evaluation (GLUE STS-B style).
 *
 * @param examples how many examples were scored
 * @param pearson Pearson r, NaN when undefined (constant or non-finite input)
 * @param spearman Spearman rho, NaN when undefined
 * @param mse mean squared error
 */
public record RegressionMetrics(int examples, double pearson, double spearman, double mse) {
    /** {@code pearson, spearmanr, mse, examples}, in that order; the keys are Hugging Face's GLUE metric names. */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("pearson", pearson);
        m.put("spearmanr", spearman);
        m.put("mse", mse);
        m.put("examples", (double) examples);
        return Collections.unmodifiableMap(m);
    }
}
