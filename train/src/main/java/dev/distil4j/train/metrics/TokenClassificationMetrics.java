package dev.distil4j.train.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Scores of a token-classification (NER) evaluation, as seqeval's classification report.
 *
 * @param examples how many sentences were scored
 * @param tokens how many tokens were scored
 * @param precision micro-averaged entity precision, 0 when nothing was predicted
 * @param recall micro-averaged entity recall, 0 when there is no true entity
 * @param f1 micro-averaged entity F1
 * @param accuracy token-level tag accuracy, {@code O} included
 * @param perType scores per entity type, sorted by type; every type seen in the true or predicted tags
 */
public record TokenClassificationMetrics(int examples, int tokens, double precision, double recall, double f1,
        double accuracy, Map<String, TypeScores> perType) {

    /**
     * Scores of one entity type.
     *
     * @param support how many true entities of this type there are (0 for a type only predicted)
     */
    public record TypeScores(double precision, double recall, double f1, int support) {}

    public TokenClassificationMetrics {
        perType = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(perType, "perType")));
    }

    /** {@code precision, recall, f1, accuracy, examples}, in that order, for a table or a JSON line. */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("precision", precision);
        m.put("recall", recall);
        m.put("f1", f1);
        m.put("accuracy", accuracy);
        m.put("examples", (double) examples);
        return Collections.unmodifiableMap(m);
    }
}
