package dev.distil4j.train.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Totals of a SQuAD evaluation, as percentages (0 to 100) like the official scripts.
 *
 * @param version which script's rules were applied
 * @param examples how many questions were scored
 * @param exactMatch percentage of questions whose prediction matches a gold answer after normalization
 * @param f1 mean best token F1, as a percentage
 * @param hasAns v2.0 only: the answerable questions' totals, when there are any
 * @param noAns v2.0 only: the unanswerable questions' totals, when there are any
 */
public record SquadMetrics(Squad.Version version, int examples, double exactMatch, double f1,
        Optional<Subset> hasAns, Optional<Subset> noAns) {

    /**
     * Totals over a subset of the questions.
     *
     * @param total how many questions are in the subset
     * @param exact exact match percentage
     * @param f1 F1 percentage
     */
    public record Subset(int total, double exact, double f1) {}

    public SquadMetrics {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(hasAns, "hasAns");
        Objects.requireNonNull(noAns, "noAns");
    }

    /**
     * The official scripts' keys: v1.1 gives {@code exact_match, f1}; v2.0 gives {@code exact, f1} then
     * {@code HasAns_exact, HasAns_f1, HasAns_total} and {@code NoAns_...} where present. Both end with
     * {@code examples}.
     */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(version == Squad.Version.V1_1 ? "exact_match" : "exact", exactMatch);
        m.put("f1", f1);
        hasAns.ifPresent(s -> put(m, "HasAns_", s));
        noAns.ifPresent(s -> put(m, "NoAns_", s));
        m.put("examples", (double) examples);
        return Collections.unmodifiableMap(m);
    }

    private static void put(Map<String, Double> m, String prefix, Subset s) {
        m.put(prefix + "exact", s.exact());
        m.put(prefix + "f1", s.f1());
        m.put(prefix + "total", (double) s.total());
    }
}
