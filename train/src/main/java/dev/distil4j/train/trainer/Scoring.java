package dev.distil4j.train.trainer;

import dev.distil4j.train.data.LabelSet;
import dev.distil4j.train.data.QaExample;
import dev.distil4j.train.data.QaPostprocessor;
import dev.distil4j.train.data.QaPrediction;
import dev.distil4j.train.metrics.Metrics;
import dev.distil4j.train.metrics.Squad;
import dev.distil4j.train.nn.TrainableModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model over an evaluation set (no dropout, nothing kept) and scores it with the task's metrics:
 * {@link Metrics}' maps, which end with {@code examples}.
 */
final class Scoring {
    private Scoring() {}

    /**
     * @param labels the model's labels (classification tasks), else null
     */
    static Map<String, Double> evaluate(TrainableModel model, TaskData data, LabelSet labels, int batchSize) {
        return evaluate(model, data, labels, batchSize, Progress.NONE);
    }

    /** Told the sequences done after each batch of a pass; false stops the pass. */
    @FunctionalInterface
    interface Progress {
        Progress NONE = (done, total) -> true;

        boolean batchDone(int done, int total);
    }

    static Map<String, Double> evaluate(TrainableModel model, TaskData data, LabelSet labels, int batchSize, Progress progress) {
        float[][] logits = logits(model, data, batchSize, progress);
        int numLabels = model.config().numLabels();
        return switch (data.task) {
            case TEXT_CLASSIFICATION -> {
                int n = logits.length;
                int[] predicted = new int[n], gold = new int[n];
                for (int i = 0; i < n; i++) {
                    predicted[i] = argmax(logits[i], 0, numLabels);
                    gold[i] = data.features.get(i).labels()[0];
                }
                yield Metrics.textClassification(predicted, gold, numLabels);
            }
            case REGRESSION -> {
                float[] predicted = new float[logits.length], gold = new float[logits.length];
                for (int i = 0; i < logits.length; i++) {
                    predicted[i] = logits[i][0];
                    gold[i] = data.features.get(i).target();
                }
                yield Metrics.regression(predicted, gold);
            }
            case TOKEN_CLASSIFICATION -> tokenClassification(data, labels, logits, numLabels);
            case QUESTION_ANSWERING -> questionAnswering(data, logits);
        };
    }

    /**
     * Per feature, its logits in eval mode, in the head's layout (rows [labels], or [seq, labels] trimmed to its
     * length), in the data's order; null when {@code progress} stopped the pass.
     */
    static float[][] logits(TrainableModel model, TaskData data, int batchSize, Progress progress) {
        return logits(model, data, batchSize, progress, new int[0], null);
    }

    /**
     * {@link #logits(TrainableModel, TaskData, int, Progress)}, also writing each feature's first-token states
     * of {@code tapLayers} into {@code states}, [features, tapLayers, dim].
     */
    static float[][] logits(TrainableModel model, TaskData data, int batchSize, Progress progress, int[] tapLayers,
                            float[] states) {
        List<Feature> features = data.features;
        int dim = model.config().hiddenSize(), perFeature = tapLayers.length * dim;
        int n = features.size();
        // shortest first, so that each batch pads little; the results go back to file order
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> features.get(i).length()));
        boolean types = Trainer.takesTokenTypes(model.config());
        float[][] out = new float[n][];
        for (int s = 0; s < n; s += batchSize) {
            int[] idx = new int[Math.min(n, s + batchSize) - s];
            for (int i = 0; i < idx.length; i++) idx[i] = order[s + i];
            Batch b = Batch.collate(data.task, features, idx, model.config().padTokenId(), types);
            TrainableModel.Output o = model.forward(b.input(), TrainableModel.Mode.eval(), tapLayers);
            int[] shape = o.logitsShape();
            int per = shape.length == 2 ? shape[1] : shape[1] * shape[2];
            for (int r = 0; r < idx.length; r++) {
                int keep = shape.length == 2 ? per : features.get(idx[r]).length() * shape[2];
                out[idx[r]] = Arrays.copyOfRange(o.logits(), r * per, r * per + keep);
                for (int t = 0; t < tapLayers.length; t++) {
                    System.arraycopy(o.firstTokenStates()[t], r * dim, states, idx[r] * perFeature + t * dim, dim);
                }
            }
            if (!progress.batchDone(s + idx.length, n)) return null;
        }
        return out;
    }

    /** seqeval over the tokens that carry a label (each word's first piece), as run_ner's compute_metrics. */
    private static Map<String, Double> tokenClassification(TaskData data, LabelSet labels, float[][] logits, int numLabels) {
        List<List<String>> gold = new ArrayList<>(), predicted = new ArrayList<>();
        for (int i = 0; i < logits.length; i++) {
            int[] l = data.features.get(i).labels();
            List<String> g = new ArrayList<>(), p = new ArrayList<>();
            for (int t = 0; t < l.length; t++) {
                if (l[t] < 0) continue;
                g.add(labels.label(l[t]));
                p.add(labels.label(argmax(logits[i], t * numLabels, numLabels)));
            }
            gold.add(g);
            predicted.add(p);
        }
        try {
            return Metrics.tokenClassification(gold, predicted);
        } catch (IllegalArgumentException notIob) {
            // tags that are not IOB (part-of-speech tags): no entities to score, token accuracy only
            long right = 0, all = 0;
            for (int s = 0; s < gold.size(); s++) {
                for (int t = 0; t < gold.get(s).size(); t++, all++) if (gold.get(s).get(t).equals(predicted.get(s).get(t))) right++;
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("accuracy", all == 0 ? 0.0 : (double) right / all);
            m.put("examples", (double) gold.size());
            return m;
        }
    }

    /** utils_qa's postprocessing, then the SQuAD script: v2.0 when the file has unanswerable questions. */
    private static Map<String, Double> questionAnswering(TaskData data, float[][] logits) {
        boolean v2 = data.questions.stream().anyMatch(QaExample::impossible);
        List<float[]> starts = new ArrayList<>(), ends = new ArrayList<>();
        for (float[] l : logits) {
            float[] s = new float[l.length / 2], e = new float[l.length / 2];
            for (int t = 0; t < s.length; t++) {
                s[t] = l[2 * t];
                e[t] = l[2 * t + 1];
            }
            starts.add(s);
            ends.add(e);
        }
        QaPostprocessor post = v2 ? QaPostprocessor.squadV2() : QaPostprocessor.squadV1();
        List<QaPrediction> predictions = post.postprocess(data.questions, data.windows, starts, ends);
        List<List<String>> gold = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < data.questions.size(); i++) {
            gold.add(data.questions.get(i).answers().stream().map(QaExample.Answer::text).toList());
            texts.add(predictions.get(i).text());
        }
        return Metrics.questionAnswering(gold, texts, v2 ? Squad.Version.V2_0 : Squad.Version.V1_1);
    }

    static int argmax(float[] x, int from, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) if (x[from + c] > x[from + best]) best = c;
        return best;
    }
}
