package dev.distil4j.train.nn;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelInput;
import dev.distil4j.train.TinyModels;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every block's backward against central finite differences of the loss, on shapes the goldens do
 * not have: odd sizes (hidden 12, FFN 7, vocabulary 23), one head or three, a single token,
 * sequences that are all padding but one token, ReLU and GELU, every head and loss, and dropout
 * (a fixed seed draws the same masks for every evaluation, so the loss stays a smooth function).
 */
class GradientCheckTest {
    static Compute compute;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void setUp() {
        compute = new Compute(Kernels.best(), 2);
    }

    @AfterAll
    static void tearDown() {
        compute.close();
    }

    @ParameterizedTest(name = "{0} {1} heads={2} seq={3} act={4} loss={5} dropout={6}")
    @CsvSource({
            "distilbert, SEQUENCE_CLASSIFICATION, 1, 5, gelu, ce, 0",
            "bert, SEQUENCE_CLASSIFICATION, 3, 1, gelu, ce, 0",
            "roberta, SEQUENCE_CLASSIFICATION, 2, 4, gelu, ce, 0",
            "bert, SEQUENCE_CLASSIFICATION, 3, 4, gelu, mse, 0",
            "distilbert, SEQUENCE_CLASSIFICATION, 2, 4, gelu, bce, 0",
            "roberta, TOKEN_CLASSIFICATION, 2, 4, gelu, ce, 0",
            "bert, QUESTION_ANSWERING, 3, 6, gelu, qa, 0",
            "distilbert, MASKED_LM, 2, 5, relu, ce, 0",
            "roberta, MASKED_LM, 1, 3, gelu, ce, 0",
            "bert, SEQUENCE_CLASSIFICATION, 2, 5, gelu, ce, 0.3",
            "distilbert, QUESTION_ANSWERING, 2, 5, gelu, qa, 0.3",
    })
    void analyticEqualsNumeric(String type, HeadType head, int heads, int seq, String act, String lossKind, float dropout) throws Exception {
        int labels = lossKind.equals("mse") ? 1 : 3;
        Path dir = TinyModels.write(tmp.resolve(type + head + heads + seq + act + lossKind + dropout),
                new TinyModels.Shape(type, 23, 12, heads, 7, 2, 10, act, labels), 7);
        Random r = new Random(11);
        int batch = 3, pad = type.equals("roberta") ? 1 : 0;
        int[][] ids = new int[batch][seq], mask = new int[batch][seq], types = type.equals("bert") ? new int[batch][seq] : null;
        for (int b = 0; b < batch; b++) {
            int len = b == 0 ? seq : b == 1 ? 1 : Math.max(1, seq - 2);   // row 1: all padding but one token
            for (int i = 0; i < seq; i++) {
                ids[b][i] = i < len ? 2 + r.nextInt(21) : pad;
                mask[b][i] = i < len ? 1 : 0;
                if (types != null) types[b][i] = i < len && i > len / 2 ? 1 : 0;
            }
        }
        ModelInput in = new ModelInput(ids, mask, types);
        var options = TrainableModel.Options.defaults().withHead(head).withCompute(compute).withInitSeed(3)
                .withDropouts(Dropouts.all(dropout));
        try (TrainableModel m = TrainableModel.load(dir, options)) {
            int[] targets = targets(m, in, lossKind, r);
            TrainableModel.Mode train = new TrainableModel.Mode(dropout > 0, 99, true);
            TrainableModel.Mode probe = new TrainableModel.Mode(dropout > 0, 99, false);
            m.zeroGrad();
            var out = m.forward(in, train);
            m.backward(loss(out, lossKind, targets).grad(), null);
            assertMatchesCentralDifferences(m, in, r, () -> loss(m.forward(in, probe), lossKind, targets).value());
        }
    }

    /** Each trainable parameter's gradient, at 4 random elements, against central differences of {@code loss}. */
    private static void assertMatchesCentralDifferences(TrainableModel m, ModelInput in, Random r, DoubleSupplier loss) {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Param p : m.parameters()) {
            if (!p.trainable()) continue;
            float[] g = p.grad().clone();
            for (int k = 0; k < 4; k++) {
                int i = pick(p, in, r);
                float saved = p.data()[i], e = 1e-3f;
                p.data()[i] = saved + e;
                p.changed();
                double up = loss.getAsDouble();
                p.data()[i] = saved - e;
                p.changed();
                double down = loss.getAsDouble();
                p.data()[i] = saved;
                p.changed();
                double numeric = (up - down) / (2 * e);
                checked++;
                if (Math.abs(numeric - g[i]) > 5e-4 + 1e-2 * Math.abs(numeric)) {
                    failures.add(p.name() + "[" + i + "]: analytic " + g[i] + ", numeric " + numeric);
                }
            }
        }
        assertThat(checked).isGreaterThan(40);
        assertThat(failures).isEmpty();
    }

    /**
     * Patient distillation's path: a loss on the first-token outputs of chosen layers (the first, and the last,
     * which a sequence classifier computes for the first tokens only) back through the whole graph.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"distilbert, SEQUENCE_CLASSIFICATION", "bert, SEQUENCE_CLASSIFICATION", "roberta, MASKED_LM"})
    void firstTokenStatesGradientEqualsNumeric(String type, HeadType head) throws Exception {
        Path dir = TinyModels.write(tmp.resolve("taps-" + type + head), new TinyModels.Shape(type, 23, 12, 2, 7, 2, 10, "gelu", 3), 7);
        Random r = new Random(5);
        int batch = 3, seq = 4, pad = type.equals("roberta") ? 1 : 0;
        int[][] ids = new int[batch][seq], mask = new int[batch][seq];
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < seq; i++) {
                ids[b][i] = i < seq - b ? 2 + r.nextInt(21) : pad;
                mask[b][i] = i < seq - b ? 1 : 0;
            }
        }
        ModelInput in = new ModelInput(ids, mask, type.equals("bert") ? new int[batch][seq] : null);
        int[] taps = {0, 1};
        float[][] targets = new float[taps.length][batch * 12];
        for (float[] t : targets) for (int i = 0; i < t.length; i++) t[i] = (float) r.nextGaussian();
        try (TrainableModel m = TrainableModel.load(dir, TrainableModel.Options.defaults().withHead(head).withCompute(compute).withInitSeed(3))) {
            int[] labels = targets(m, in, "ce", r);
            m.zeroGrad();
            var out = m.forward(in, TrainableModel.Mode.deterministicTrain(), taps);
            Loss ce = loss(out, "ce", labels);
            float[][] dTaps = new float[taps.length][];
            for (int t = 0; t < taps.length; t++) dTaps[t] = Losses.normalizedMse(out.firstTokenStates()[t], targets[t], batch, 12).grad();
            m.backward(ce.grad(), null, taps, dTaps);
            assertMatchesCentralDifferences(m, in, r, () -> tapLoss(m, in, taps, labels, targets));
        }
    }

    private static double tapLoss(TrainableModel m, ModelInput in, int[] taps, int[] labels, float[][] targets) {
        var out = m.forward(in, TrainableModel.Mode.eval(), taps);
        double l = loss(out, "ce", labels).value();
        for (int t = 0; t < taps.length; t++) l += Losses.normalizedMse(out.firstTokenStates()[t], targets[t], in.batchSize(), 12).value();
        return l;
    }

    /** A gradient on the last layer's first tokens is the same as that gradient on the last hidden state, bit for bit. */
    @Test
    void aTapOnTheLastLayerIsAGradientOnTheLastHiddenState() throws Exception {
        Path dir = TinyModels.write(tmp.resolve("tap-last"), new TinyModels.Shape("distilbert", 23, 12, 2, 7, 2, 10, "gelu", 3), 7);
        Random r = new Random(9);
        int batch = 2, seq = 3;
        int[][] ids = new int[batch][seq], mask = new int[batch][seq];
        for (int b = 0; b < batch; b++) for (int i = 0; i < seq; i++) {
            ids[b][i] = 2 + r.nextInt(21);
            mask[b][i] = 1;
        }
        ModelInput in = new ModelInput(ids, mask, null);
        float[] first = new float[batch * 12], hidden = new float[batch * seq * 12];
        for (int b = 0; b < batch; b++) for (int c = 0; c < 12; c++) first[b * 12 + c] = hidden[b * seq * 12 + c] = (float) r.nextGaussian();
        List<float[]> viaHidden = new ArrayList<>(), viaTap = new ArrayList<>();
        try (TrainableModel m = TrainableModel.load(dir, TrainableModel.Options.defaults().withHead(HeadType.MASKED_LM).withCompute(compute))) {
            var out = m.forward(in, TrainableModel.Mode.deterministicTrain());
            float[] dLogits = loss(out, "ce", targets(m, in, "ce", r)).grad();
            m.zeroGrad();
            m.forward(in, TrainableModel.Mode.deterministicTrain());
            m.backward(dLogits, hidden);
            for (Param p : m.parameters()) if (p.trainable()) viaHidden.add(p.grad().clone());
            m.zeroGrad();
            var tapped = m.forward(in, TrainableModel.Mode.deterministicTrain(), new int[] {1});
            for (int b = 0; b < batch; b++) {
                for (int c = 0; c < 12; c++) assertThat(tapped.firstTokenStates()[0][b * 12 + c]).isEqualTo(tapped.lastHiddenState()[b * seq * 12 + c]);
            }
            m.backward(dLogits, null, new int[] {1}, new float[][] {first});
            for (Param p : m.parameters()) if (p.trainable()) viaTap.add(p.grad().clone());
        }
        assertThat(viaTap).hasSameSizeAs(viaHidden);
        for (int i = 0; i < viaTap.size(); i++) assertThat(viaTap.get(i)).as("parameter %d", i).isEqualTo(viaHidden.get(i));
    }

    /** An index into p; for embedding tables, a row some token actually uses (others have gradient 0). */
    private static int pick(Param p, ModelInput in, Random r) {
        int[] shape = p.shape();
        if (p.name().endsWith("word_embeddings.weight")) {
            int b = r.nextInt(in.batchSize()), id = in.inputIds()[b][0];
            return id * shape[1] + r.nextInt(shape[1]);
        }
        return r.nextInt(p.size());
    }

    private static int[] targets(TrainableModel m, ModelInput in, String kind, Random r) {
        var out = m.forward(in, TrainableModel.Mode.eval());
        int[] s = out.logitsShape();
        int rows = kind.equals("qa") ? 2 * in.batchSize() : s.length == 2 ? s[0] : s[0] * s[1];
        int classes = kind.equals("qa") ? in.seqLength() + 2 : s[s.length - 1];
        int[] t = new int[rows];
        for (int i = 0; i < rows; i++) t[i] = r.nextInt(classes);  // QA: seq and seq + 1 are out of the window (ignored)
        if (s.length == 3 && !kind.equals("qa")) {
            for (int b = 0; b < s[0]; b++) {
                for (int i = 0; i < s[1]; i++) if (in.mask(b, i) == 0) t[b * s[1] + i] = Losses.IGNORE_INDEX;
            }
        }
        return t;
    }

    private static Loss loss(TrainableModel.Output out, String kind, int[] targets) {
        int[] s = out.logitsShape();
        return switch (kind) {
            case "ce" -> Losses.crossEntropy(out.logits(), targets.length, s[s.length - 1], targets, Losses.IGNORE_INDEX);
            case "mse" -> {
                float[] y = new float[targets.length];
                for (int i = 0; i < y.length; i++) y[i] = targets[i] * 0.7f - 0.5f;
                yield Losses.mse(out.logits(), y);
            }
            case "bce" -> {
                float[] y = new float[out.logits().length];
                for (int i = 0; i < y.length; i++) y[i] = (targets[i / s[1]] + i) % 2;
                yield Losses.binaryCrossEntropyWithLogits(out.logits(), y);
            }
            case "qa" -> {
                int batch = s[0];
                int[] start = new int[batch], end = new int[batch];
                for (int b = 0; b < batch; b++) {
                    start[b] = targets[2 * b];
                    end[b] = targets[2 * b + 1];
                }
                yield Losses.questionAnswering(out.logits(), batch, s[1], start, end);
            }
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
