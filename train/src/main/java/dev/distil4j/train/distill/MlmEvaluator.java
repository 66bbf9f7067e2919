package dev.distil4j.train.distill;

import dev.distil4j.kernels.Compute;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelInput;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.nn.TrainableModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Masked-language-model accuracy on held-out text, to compare a student before and after distillation.
 * Each line is encoded as distillation encodes it ({@code [CLS] line [SEP]}, cut to {@code maxLength}); in
 * each batch of consecutive lines {@code ceil(0.15 * real tokens)} positions are drawn uniformly among the
 * non-special tokens and all replaced by the mask token; the score is the share of those positions where the
 * model's top-1 prediction is the original token, with the mean cross-entropy there. The masks depend only on
 * the text, the tokenizer, the batch size and the seed, so two models with the same vocabulary are scored on
 * exactly the same positions.
 */
public final class MlmEvaluator {
    /** Uniform selection, every selected token masked: a plain fill-in-the-blank test. */
    static final MaskingOptions MASKING = new MaskingOptions(0.15, 1.0, 0.0, 0.0, 0.0);

    private MlmEvaluator() {}

    /**
     * @param sequences lines scored (empty lines left out)
     * @param masked    positions predicted
     * @param correct   of those, predicted right (top-1)
     * @param loss      mean cross-entropy at the masked positions (nats)
     */
    public record Result(long sequences, long masked, long correct, double loss) {
        public double accuracy() {
            return masked == 0 ? Double.NaN : (double) correct / masked;
        }

        /** {@code mlm_accuracy, mlm_loss, masked_total, examples}, for {@code Metrics.toJson}. */
        public Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("mlm_accuracy", accuracy());
            m.put("mlm_loss", loss);
            m.put("masked_total", (double) masked);
            m.put("examples", (double) sequences);
            return m;
        }
    }

    /** Scores the MLM model in {@code modelDir} (its head must be a masked-LM head) on the lines of {@code files}. */
    public static Result evaluate(Path modelDir, List<Path> files, int maxLength, int batchSize, long seed, Compute compute) {
        if (maxLength < 3) throw new IllegalArgumentException("maxLength must be >= 3, not " + maxLength);
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, not " + batchSize);
        Tokenizer tokenizer = Tokenizer.fromDirectory(modelDir);
        SpecialTokenIds specials = SpecialTokenIds.of(tokenizer);
        if (specials.mask() < 0 || specials.pad() < 0) throw new IllegalArgumentException(modelDir + ": the tokenizer has no mask or pad token");
        TokenSequences data;
        try {
            data = TokenSequences.of(cut(new CorpusBinarizer(tokenizer).binarize(files), maxLength));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        if (data.size() == 0) throw new IllegalArgumentException(files + ": no non-empty lines to score");
        try (TrainableModel model = TrainableModel.load(modelDir,
                TrainableModel.Options.defaults().withHead(HeadType.MASKED_LM).withCompute(compute))) {
            int vocab = model.config().vocabSize();
            double[] weights = new double[vocab];
            Arrays.fill(weights, 1.0);
            for (int id : specials.all()) if (id >= 0 && id < vocab) weights[id] = 0;
            TokenMasker masker = new TokenMasker(weights, specials, MASKING);
            long masked = 0, correct = 0;
            double lossSum = 0;
            for (int from = 0, batch = 0; from < data.size(); from += batchSize, batch++) {
                int[] idx = new int[Math.min(batchSize, data.size() - from)];
                for (int i = 0; i < idx.length; i++) idx[i] = from + i;
                MlmBatch b = masker.mask(PaddedBatch.collate(data, idx, specials.pad()), seed, batch);
                int t = b.seqLen();
                int[][] ids = new int[idx.length][], attention = new int[idx.length][];
                for (int r = 0; r < idx.length; r++) {
                    ids[r] = Arrays.copyOfRange(b.inputIds(), r * t, (r + 1) * t);
                    attention[r] = Arrays.copyOfRange(b.attentionMask(), r * t, (r + 1) * t);
                }
                float[] logits = model.forward(new ModelInput(ids, attention, null), TrainableModel.Mode.eval()).logits();
                int[] labels = b.labels();
                for (int p = 0; p < labels.length; p++) {
                    if (labels[p] == MlmBatch.IGNORE) continue;
                    int off = p * vocab, best = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < vocab; v++) {
                        if (logits[off + v] > max) {
                            max = logits[off + v];
                            best = v;
                        }
                    }
                    double sum = 0;
                    for (int v = 0; v < vocab; v++) sum += Math.exp(logits[off + v] - max);
                    lossSum += Math.log(sum) + max - logits[off + labels[p]];
                    masked++;
                    if (best == labels[p]) correct++;
                }
            }
            return new Result(data.size(), masked, correct, masked == 0 ? Double.NaN : lossSum / masked);
        }
    }

    /** Drops empty lines ({@code [cls, sep]}) and cuts long ones to {@code maxLength}, keeping the closing separator. */
    private static List<int[]> cut(TokenSequences all, int maxLength) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            int[] s = all.sequence(i);
            if (s.length <= 2) continue;
            if (s.length > maxLength) {
                int sep = s[s.length - 1];
                s = Arrays.copyOf(s, maxLength);
                s[maxLength - 1] = sep;
            }
            out.add(s);
        }
        return out;
    }
}
