package dev.distil4j.train.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Exact match and token F1 for extractive question answering, as the official SQuAD v1.1 and v2.0 evaluation
 * scripts compute them, so results compare with published numbers.
 *
 * <p>Answers are compared after {@link #normalizeAnswer normalization}. Each question's score is the best over
 * its gold answers; the totals are percentages. In v2.0 a question with no gold answer (an empty list) is
 * unanswerable and its only correct prediction is one that normalizes to the empty string.
 */
public final class Squad {
    private Squad() {}

    /** Which official script to follow; they differ only on unanswerable questions and empty answers. */
    public enum Version {
        /** SQuAD v1.1: every question has at least one gold answer. */
        V1_1,
        /** SQuAD v2.0: no gold answer means unanswerable; scores are also split into HasAns and NoAns. */
        V2_0
    }

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"; // Python's string.punctuation

    /**
     * Scores every question and totals them as the official script does.
     *
     * @param goldAnswers per question, its gold answer texts (empty for an unanswerable v2.0 question)
     * @param predictions per question, the predicted answer text ({@code ""} for "no answer")
     * @throws IllegalArgumentException on different sizes, no questions, a null answer, or (v1.1) a question
     *     without gold answers
     */
    public static SquadMetrics evaluate(List<List<String>> goldAnswers, List<String> predictions, Version version) {
        if (goldAnswers.size() != predictions.size()) {
            throw new IllegalArgumentException(goldAnswers.size() + " questions but " + predictions.size()
                    + " predictions");
        }
        if (goldAnswers.isEmpty()) throw new IllegalArgumentException("no questions to evaluate");
        double exact = 0, f1 = 0, hasExact = 0, hasF1 = 0, noExact = 0, noF1 = 0;
        int has = 0;
        for (int q = 0; q < goldAnswers.size(); q++) {
            List<String> golds = goldAnswers.get(q);
            String prediction = predictions.get(q);
            if (prediction == null) throw new IllegalArgumentException("question " + q + ": prediction is null");
            if (golds == null || golds.stream().anyMatch(g -> g == null)) {
                throw new IllegalArgumentException("question " + q + ": gold answers are null or contain null");
            }
            if (golds.isEmpty() && version == Version.V1_1) {
                throw new IllegalArgumentException("question " + q + " has no gold answer, which SQuAD v1.1 does"
                        + " not allow (use V2_0 for unanswerable questions)");
            }
            double e = 0, f = 0;
            if (version == Version.V1_1) {
                for (String gold : golds) {
                    e = Math.max(e, exactMatch(prediction, gold));
                    f = Math.max(f, f1(prediction, gold, false));
                }
            } else {
                // v2.0 drops gold answers that normalize to nothing; none left means the question is unanswerable
                List<String> kept = golds.stream().filter(g -> !normalizeAnswer(g).isEmpty()).toList();
                for (String gold : kept.isEmpty() ? List.of("") : kept) {
                    e = Math.max(e, exactMatch(prediction, gold));
                    f = Math.max(f, f1(prediction, gold));
                }
            }
            exact += e;
            f1 += f;
            if (!golds.isEmpty()) { // "has answer" looks at the raw list, as the script does
                has++;
                hasExact += e;
                hasF1 += f;
            } else {
                noExact += e;
                noF1 += f;
            }
        }
        int n = goldAnswers.size(), no = n - has;
        Optional<SquadMetrics.Subset> hasAns = Optional.empty(), noAns = Optional.empty();
        if (version == Version.V2_0) {
            if (has > 0) hasAns = Optional.of(new SquadMetrics.Subset(has, 100 * hasExact / has, 100 * hasF1 / has));
            if (no > 0) noAns = Optional.of(new SquadMetrics.Subset(no, 100 * noExact / no, 100 * noF1 / no));
        }
        return new SquadMetrics(version, n, 100.0 * exact / n, 100.0 * f1 / n, hasAns, noAns);
    }

    /**
     * The official normalization: lower-case, drop ASCII punctuation, drop the words "a", "an" and "the", and
     * collapse whitespace, so "The  Eiffel-Tower." and "eiffeltower" compare equal.
     */
    public static String normalizeAnswer(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder noPunct = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) noPunct.append(c);
        }
        // Articles go only as whole words: a maximal run of word characters equal to a, an or the (Python's \b).
        StringBuilder noArticles = new StringBuilder(noPunct.length());
        for (int i = 0; i < noPunct.length(); ) {
            int cp = noPunct.codePointAt(i);
            if (!isWordChar(cp)) {
                noArticles.appendCodePoint(cp);
                i += Character.charCount(cp);
                continue;
            }
            int end = i;
            while (end < noPunct.length() && isWordChar(noPunct.codePointAt(end))) {
                end += Character.charCount(noPunct.codePointAt(end));
            }
            String word = noPunct.substring(i, end);
            noArticles.append(word.equals("a") || word.equals("an") || word.equals("the") ? " " : word);
            i = end;
        }
        return String.join(" ", tokens(noArticles.toString()));
    }

    /** 1 if the normalized texts are equal, else 0. */
    public static double exactMatch(String prediction, String gold) {
        return normalizeAnswer(prediction).equals(normalizeAnswer(gold)) ? 1.0 : 0.0;
    }

    /**
     * Token-overlap F1 of the normalized texts, with v2.0's rule that if either side has no tokens the score is 1
     * when both are empty and 0 otherwise (v1.1 scores two empty answers 0; {@link #evaluate} applies that).
     */
    public static double f1(String prediction, String gold) {
        return f1(prediction, gold, true);
    }

    private static double f1(String prediction, String gold, boolean emptyAgreementCounts) {
        List<String> pred = tokens(normalizeAnswer(prediction)), truth = tokens(normalizeAnswer(gold));
        if (pred.isEmpty() || truth.isEmpty()) {
            return emptyAgreementCounts && pred.isEmpty() && truth.isEmpty() ? 1.0 : 0.0;
        }
        Map<String, Integer> goldCounts = new HashMap<>();
        for (String t : truth) goldCounts.merge(t, 1, Integer::sum);
        int same = 0;
        for (String t : pred) {
            Integer left = goldCounts.get(t);
            if (left != null && left > 0) {
                same++;
                goldCounts.put(t, left - 1);
            }
        }
        if (same == 0) return 0.0;
        double precision = (double) same / pred.size(), recall = (double) same / truth.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** Splits on whitespace as Python's {@code str.split()} does (which also splits on no-break spaces). */
    private static List<String> tokens(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            boolean space = i == s.length() || isPythonSpace(s.charAt(i));
            if (space && start >= 0) {
                out.add(s.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return out;
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    /** Python's Unicode {@code \w}: letters, numbers and underscore. */
    private static boolean isWordChar(int cp) {
        if (cp == '_' || Character.isLetter(cp)) return true;
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
