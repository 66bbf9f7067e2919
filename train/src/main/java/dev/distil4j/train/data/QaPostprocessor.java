package dev.distil4j.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns start/end logits over evaluation windows back into answers, as transformers'
 * {@code utils_qa.postprocess_qa_predictions} does: per window, every pair of the {@code nBestSize} best
 * start and end tokens that both lie in the context, end not before start and at most
 * {@code maxAnswerLength} tokens apart, scored {@code start_logit + end_logit}; the best
 * {@code nBestSize} over all windows of the question are kept.
 *
 * <p>With {@code version2WithNegative} (SQuAD v2), the null answer, scored with the smallest
 * {@code start_logit[0] + end_logit[0]} over the windows (every window must agree there is no answer), joins
 * the candidates; the prediction is "" when the null score beats the best non-empty candidate by more than
 * {@code nullScoreDiffThreshold}.
 *
 * <p>Sums are float32, as NumPy adds float32 logits. Equal logits rank the later token first (a reversed
 * stable sort; NumPy's argsort leaves such ties unspecified).
 */
public record QaPostprocessor(int nBestSize, int maxAnswerLength, boolean version2WithNegative,
                              float nullScoreDiffThreshold) {

    public QaPostprocessor {
        if (nBestSize < 1 || maxAnswerLength < 1) {
            throw new IllegalArgumentException("nBestSize and maxAnswerLength must be >= 1");
        }
    }

    /** SQuAD v1.1: n-best 20, answers of at most 30 tokens, always an answer. */
    public static QaPostprocessor squadV1() {
        return new QaPostprocessor(20, 30, false, 0f);
    }

    /** SQuAD v2.0: as v1.1, plus the null answer with threshold 0. */
    public static QaPostprocessor squadV2() {
        return new QaPostprocessor(20, 30, true, 0f);
    }

    /**
     * One prediction per example, in example order.
     *
     * @param features    the evaluation windows of these examples ({@link QaEncoder#validationFeatures})
     * @param startLogits per feature, the model's start logits; may be longer than the feature (padding),
     *                    positions past its end are ignored
     * @param endLogits   per feature, the end logits
     */
    public List<QaPrediction> postprocess(List<QaExample> examples, List<QaEvalFeature> features,
                                          List<float[]> startLogits, List<float[]> endLogits) {
        if (startLogits.size() != features.size() || endLogits.size() != features.size()) {
            throw new IllegalArgumentException("got " + startLogits.size() + " start and " + endLogits.size()
                    + " end logit rows for " + features.size() + " features");
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            if (index.put(examples.get(i).id(), i) != null) {
                throw new IllegalArgumentException("example id '" + examples.get(i).id() + "' appears twice");
            }
        }
        Map<Integer, List<Integer>> byExample = new LinkedHashMap<>();
        for (int f = 0; f < features.size(); f++) {
            Integer ex = index.get(features.get(f).exampleId());
            if (ex == null) {
                throw new IllegalArgumentException("feature " + f + " belongs to example '" + features.get(f).exampleId()
                        + "', which is not among the examples");
            }
            byExample.computeIfAbsent(ex, k -> new ArrayList<>()).add(f);
        }
        List<QaPrediction> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            List<Integer> fs = byExample.get(i);
            if (fs == null) {
                throw new IllegalArgumentException("example '" + examples.get(i).id() + "' has no features");
            }
            out.add(predict(examples.get(i), fs, features, startLogits, endLogits));
        }
        return List.copyOf(out);
    }

    private QaPrediction predict(QaExample example, List<Integer> featureIndices, List<QaEvalFeature> features,
                                 List<float[]> startLogits, List<float[]> endLogits) {
        String context = example.context();
        List<Candidate> prelim = new ArrayList<>();
        Candidate minNull = null;
        for (int f : featureIndices) {
            QaEvalFeature feature = features.get(f);
            float[] start = startLogits.get(f);
            float[] end = endLogits.get(f);
            float nullScore = start[0] + end[0];
            if (minNull == null || minNull.score > nullScore) {
                minNull = new Candidate(0, 0, nullScore, start[0], end[0], true);
            }
            int[] starts = best(start, nBestSize);
            int[] ends = best(end, nBestSize);
            int n = feature.length();
            for (int s : starts) {
                for (int e : ends) {
                    if (s >= n || e >= n || !feature.isContext(s) || !feature.isContext(e)) {
                        continue;
                    }
                    if (e < s || e - s + 1 > maxAnswerLength) {
                        continue;
                    }
                    prelim.add(new Candidate(feature.startAt(s), feature.endAt(e), start[s] + end[e], start[s], end[e],
                            false));
                }
            }
        }
        if (version2WithNegative) {
            prelim.add(minNull);
        }
        List<Candidate> kept = new ArrayList<>(prelim);
        kept.sort(Comparator.comparingDouble((Candidate c) -> c.score).reversed());
        if (kept.size() > nBestSize) {
            kept = new ArrayList<>(kept.subList(0, nBestSize));
        }
        if (version2WithNegative && kept.stream().noneMatch(c -> c.start == 0 && c.end == 0)) {
            kept.add(minNull);
        }
        List<QaPrediction.Candidate> nBest = new ArrayList<>(kept.size() + 1);
        for (Candidate c : kept) {
            String text = c.isNull || c.end <= c.start ? "" : context.substring(c.start, c.end);
            nBest.add(new QaPrediction.Candidate(text, c.start, c.end, c.startLogit, c.endLogit, c.score, 0));
        }
        if (nBest.isEmpty() || (nBest.size() == 1 && nBest.get(0).text().isEmpty())) {
            nBest.add(0, new QaPrediction.Candidate("empty", -1, -1, 0f, 0f, 0f, 0));
        }
        double max = Double.NEGATIVE_INFINITY;
        for (QaPrediction.Candidate c : nBest) {
            max = Math.max(max, c.score());
        }
        double[] exp = new double[nBest.size()];
        double sum = 0;
        for (int i = 0; i < exp.length; i++) {
            exp[i] = Math.exp(nBest.get(i).score() - max);
            sum += exp[i];
        }
        for (int i = 0; i < exp.length; i++) {
            nBest.set(i, nBest.get(i).withProbability(exp[i] / sum));
        }
        if (!version2WithNegative) {
            return new QaPrediction(example.id(), nBest.get(0).text(), nBest, Float.NaN);
        }
        QaPrediction.Candidate bestNonNull = null;
        for (QaPrediction.Candidate c : nBest) {
            if (!c.text().isEmpty()) {
                bestNonNull = c;
                break;
            }
        }
        if (bestNonNull == null) {
            return new QaPrediction(example.id(), "", nBest, Float.NaN);
        }
        float diff = minNull.score - bestNonNull.startLogit() - bestNonNull.endLogit();
        String text = diff > nullScoreDiffThreshold ? "" : bestNonNull.text();
        return new QaPrediction(example.id(), text, nBest, diff);
    }

    /** The indices of the {@code k} largest values, largest first; ties: the later index first. */
    private static int[] best(float[] logits, int k) {
        Integer[] idx = new Integer[logits.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> {
            int c = Float.compare(logits[b], logits[a]);
            return c != 0 ? c : Integer.compare(b, a);
        });
        int m = Math.min(k, idx.length);
        int[] r = new int[m];
        for (int i = 0; i < m; i++) {
            r[i] = idx[i];
        }
        return r;
    }

    private record Candidate(int start, int end, float score, float startLogit, float endLogit, boolean isNull) {}
}
