package dev.distil4j.train.nn;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelInput;
import dev.distil4j.train.TinyModels;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import dev.distil4j.train.optim.AdamW;
import dev.distil4j.train.optim.GradientClipping;
import dev.distil4j.train.optim.LinearSchedule;
import dev.distil4j.train.optim.OptimizerFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Gradient accumulation, activation recomputation and optimizer state round trips. */
class StepSemanticsTest {
    @TempDir
    static Path tmp;
    static Path dir;
    static Compute compute;
    static ModelInput batch;
    static int[] labels;

    @BeforeAll
    static void setUp() throws Exception {
        compute = new Compute(Kernels.best(), 2);
        dir = TinyModels.write(tmp.resolve("bert"), new TinyModels.Shape("bert", 40, 16, 2, 24, 2, 16, "gelu", 2), 5);
        Random r = new Random(4);
        int[][] ids = new int[4][9], mask = new int[4][9];
        labels = new int[4];
        for (int b = 0; b < 4; b++) {
            labels[b] = r.nextInt(2);
            for (int i = 0; i < 9; i++) {
                boolean real = i < 9 - b;
                ids[b][i] = real ? 1 + r.nextInt(39) : 0;
                mask[b][i] = real ? 1 : 0;
            }
        }
        batch = new ModelInput(ids, mask, null);
    }

    @AfterAll
    static void tearDown() {
        compute.close();
    }

    static TrainableModel model(boolean checkpointing) {
        return TrainableModel.load(dir, TrainableModel.Options.defaults().withHead(HeadType.SEQUENCE_CLASSIFICATION)
                .withCompute(compute).withDropouts(Dropouts.all(0.1f)).withGradientCheckpointing(checkpointing));
    }

    static ModelInput rows(int from, int to) {
        int[][] ids = new int[to - from][], mask = new int[to - from][];
        for (int b = from; b < to; b++) {
            ids[b - from] = batch.inputIds()[b];
            mask[b - from] = batch.attentionMask()[b];
        }
        return new ModelInput(ids, mask, null);
    }

    static float[] step(TrainableModel m, ModelInput in, int[] y, long seed, float scale) {
        var out = m.forward(in, TrainableModel.Mode.train(seed));
        Loss l = Losses.crossEntropy(out.logits(), y.length, 2, y, Losses.IGNORE_INDEX);
        float[] g = l.grad();
        for (int i = 0; i < g.length; i++) g[i] *= scale;
        m.backward(g, null);
        return out.logits();
    }

    static List<float[]> grads(TrainableModel m) {
        List<float[]> g = new ArrayList<>();
        for (Param p : m.parameters()) if (p.trainable()) g.add(p.grad().clone());
        return g;
    }

    @Test
    void gradientCheckpointingGivesTheSameGradients() {
        try (TrainableModel plain = model(false); TrainableModel recomputed = model(true)) {
            step(plain, batch, labels, 17, 1f);
            step(recomputed, batch, labels, 17, 1f);   // same seed: the recomputed forward draws the same masks
            List<float[]> a = grads(plain), b = grads(recomputed);
            for (int i = 0; i < a.size(); i++) assertThat(b.get(i)).isEqualTo(a.get(i));
        }
    }

    @Test
    void accumulatedHalvesEqualTheWholeBatch() {
        try (TrainableModel whole = model(false); TrainableModel halves = model(false)) {
            // eval-mode dropout (none) so that the halves see the same network as the whole
            var out = whole.forward(batch, TrainableModel.Mode.deterministicTrain());
            whole.backward(Losses.crossEntropy(out.logits(), 4, 2, labels, -100).grad(), null);
            for (int h = 0; h < 2; h++) {
                ModelInput part = rows(2 * h, 2 * h + 2);
                var o = halves.forward(part, TrainableModel.Mode.deterministicTrain());
                float[] g = Losses.crossEntropy(o.logits(), 2, 2, new int[] {labels[2 * h], labels[2 * h + 1]}, -100).grad();
                for (int i = 0; i < g.length; i++) g[i] /= 2;   // the Trainer divides each micro-batch's loss by the accumulation steps
                halves.backward(g, null);
            }
            List<float[]> a = grads(whole), b = grads(halves);
            for (int i = 0; i < a.size(); i++) {
                for (int j = 0; j < a.get(i).length; j++) {
                    assertThat(b.get(i)[j]).isCloseTo(a.get(i)[j], org.assertj.core.data.Offset.offset(1e-5f + 1e-4f * Math.abs(a.get(i)[j])));
                }
            }
        }
    }

    @Test
    void classifierComputesTheLastLayerForTheFirstTokensOnlyAndGetsTheSameLogits() {
        try (TrainableModel classifier = model(false);
             TrainableModel base = TrainableModel.load(dir, TrainableModel.Options.defaults().withCompute(compute))) {
            var out = classifier.forward(batch, TrainableModel.Mode.eval());
            assertThat(out.lastHiddenState()).as("the last layer ran for the first tokens only").isNull();
            // the same encoder with every row of the last layer, and BERT's head by hand: classifier(tanh(pooler(h0)))
            float[] hidden = base.forward(batch, TrainableModel.Mode.eval()).lastHiddenState();
            Map<String, float[]> p = new HashMap<>();
            for (Param q : classifier.parameters()) p.put(q.name(), q.data());
            int dim = 16, seq = 9;
            for (int b = 0; b < 4; b++) {
                double[] pooled = new double[dim];
                for (int o = 0; o < dim; o++) {
                    double z = p.get("bert.pooler.dense.bias")[o];
                    for (int i = 0; i < dim; i++) z += (double) p.get("bert.pooler.dense.weight")[o * dim + i] * hidden[b * seq * dim + i];
                    pooled[o] = Math.tanh(z);
                }
                for (int c = 0; c < 2; c++) {
                    double z = p.get("classifier.bias")[c];
                    for (int i = 0; i < dim; i++) z += p.get("classifier.weight")[c * dim + i] * pooled[i];
                    assertThat(out.logits()[b * 2 + c]).isCloseTo((float) z, org.assertj.core.data.Offset.offset(1e-5f));
                }
            }
            classifier.forward(batch, TrainableModel.Mode.train(1));
            assertThatThrownBy(() -> classifier.backward(new float[8], new float[4 * seq * dim]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first tokens");
        }
    }

    @Test
    void optimizerStateRoundTripResumesExactly() {
        LinearSchedule schedule = new LinearSchedule(1e-3, 2, 8);
        AdamW.Config config = AdamW.Config.defaults().withWeightDecay(0.01);
        Path state = tmp.resolve("optimizer.safetensors");
        List<float[]> uninterrupted, resumed;
        try (TrainableModel m = model(false)) {
            AdamW adam = new AdamW(m.parameters(), config);
            for (int s = 0; s < 6; s++) {
                m.zeroGrad();
                step(m, batch, labels, s, 1f);
                GradientClipping.clip(m.parameters(), 1.0, compute);
                adam.step(schedule.lr(adam.steps()), compute);
            }
            uninterrupted = m.parameters().stream().map(p -> p.data().clone()).toList();
        }
        try (TrainableModel m = model(false)) {
            AdamW adam = new AdamW(m.parameters(), config);
            List<float[]> saved = null;
            for (int s = 0; s < 3; s++) {
                m.zeroGrad();
                step(m, batch, labels, s, 1f);
                GradientClipping.clip(m.parameters(), 1.0, compute);
                adam.step(schedule.lr(adam.steps()), compute);
            }
            OptimizerFiles.write(state, adam);
            saved = m.parameters().stream().map(p -> p.data().clone()).toList();
            // a fresh model and optimizer, as a resumed process has
            try (TrainableModel again = model(false)) {
                for (int i = 0; i < saved.size(); i++) System.arraycopy(saved.get(i), 0, again.parameters().get(i).data(), 0, saved.get(i).length);
                AdamW restored = new AdamW(again.parameters(), config);
                OptimizerFiles.read(state, restored);
                assertThat(restored.steps()).isEqualTo(3);
                for (int s = 3; s < 6; s++) {
                    again.zeroGrad();
                    step(again, batch, labels, s, 1f);
                    GradientClipping.clip(again.parameters(), 1.0, compute);
                    restored.step(schedule.lr(restored.steps()), compute);
                }
                resumed = again.parameters().stream().map(p -> p.data().clone()).toList();
            }
        }
        for (int i = 0; i < uninterrupted.size(); i++) assertThat(resumed.get(i)).isEqualTo(uninterrupted.get(i));
    }
}
