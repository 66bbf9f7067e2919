package dev.distil4j.train.data;

import java.util.List;
import java.util.Objects;

/**
 * The answer chosen for one question, with the n-best list it was chosen from.
 *
 * @param exampleId     the question id
 * @param text          the predicted answer; "" when SQuAD v2 handling judged the question unanswerable
 * @param nBest         the best candidates, best first, with softmax probabilities over the list
 * @param nullScoreDiff v2 only: null score minus the best non-null candidate's start and end logits (the
 *                      answer is "" when this exceeds the threshold); NaN for v1
 */
public record QaPrediction(String exampleId, String text, List<Candidate> nBest, float nullScoreDiff) {

    /**
     * A candidate span.
     *
     * @param text        the context between {@code start} and {@code end}; "" for the null answer, and
     *                    "empty" for the stand-in used when nothing else is left (as utils_qa does)
     * @param start       UTF-16 start in the context ({@code 0} for the null answer, {@code -1} for the stand-in)
     * @param end         UTF-16 end in the context ({@code 0} for the null answer, {@code -1} for the stand-in)
     * @param startLogit  the start logit
     * @param endLogit    the end logit
     * @param score       {@code startLogit + endLogit}
     * @param probability softmax of the scores over the n-best list
     */
    public record Candidate(String text, int start, int end, float startLogit, float endLogit, float score,
                            double probability) {
        public Candidate {
            Objects.requireNonNull(text, "text");
        }

        Candidate withProbability(double p) {
            return new Candidate(text, start, end, startLogit, endLogit, score, p);
        }
    }

    public QaPrediction {
        Objects.requireNonNull(exampleId, "exampleId");
        Objects.requireNonNull(text, "text");
        nBest = List.copyOf(nBest);
    }
}
