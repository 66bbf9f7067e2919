package dev.distil4j.train.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelInput;
import dev.distil4j.train.Shared;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import dev.distil4j.train.optim.AdamW;
import dev.distil4j.train.optim.GradientClipping;
import dev.distil4j.train.optim.LinearSchedule;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ../shared/fixtures/training: transformers 4.28.1 + PyTorch, dropout 0. For every case: the step-0
 * loss (1e-5 relative), every parameter's gradient within its tolerance, the parameters after
 * three AdamW steps (warmup 1 of 4, clipping at 1.0, the Trainer's weight-decay grouping), on the
 * vector kernels and on the scalar reference.
 */
class TrainingGoldenTest {
    static JsonNode manifest;
    static Compute vector, scalar;

    @BeforeAll
    static void setUp() throws IOException {
        manifest = new ObjectMapper().readTree(Shared.path("fixtures/training/manifest.json").toFile());
        vector = new Compute(Kernels.best(), 2);
        scalar = new Compute(Kernels.scalar(), 2);
    }

    @AfterAll
    static void tearDown() {
        vector.close();
        scalar.close();
    }

    static Stream<Arguments> cases() throws IOException {
        JsonNode m = new ObjectMapper().readTree(Shared.path("fixtures/training/manifest.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : m.get("cases")) {
            if (c.get("task").asText().equals("distillation")) continue;
            out.add(Arguments.of(c.get("name").asText(), "vector"));
            out.add(Arguments.of(c.get("name").asText(), "scalar"));
        }
        return out.stream();
    }

    static JsonNode caseNamed(String name) {
        for (JsonNode c : manifest.get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new IllegalArgumentException(name);
    }

    static HeadType head(String task) {
        return switch (task) {
            case "seqcls", "regression" -> HeadType.SEQUENCE_CLASSIFICATION;
            case "tokcls" -> HeadType.TOKEN_CLASSIFICATION;
            case "qa" -> HeadType.QUESTION_ANSWERING;
            case "mlm" -> HeadType.MASKED_LM;
            default -> throw new IllegalArgumentException(task);
        };
    }

    static int[][] ints(JsonNode rows) {
        if (rows == null) return null;
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            out[i] = new int[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) out[i][j] = rows.get(i).get(j).asInt();
        }
        return out;
    }

    static ModelInput input(JsonNode batch) {
        return new ModelInput(ints(batch.get("input_ids")), ints(batch.get("attention_mask")), ints(batch.get("token_type_ids")));
    }

    /** The task's loss for this batch, as transformers' heads compute it. */
    static Loss loss(String task, TrainableModel.Output out, JsonNode batch) {
        int[] shape = out.logitsShape();
        return switch (task) {
            case "seqcls" -> Losses.crossEntropy(out.logits(), shape[0], shape[1], flat(batch.get("labels")), Losses.IGNORE_INDEX);
            case "regression" -> {
                JsonNode l = batch.get("labels");
                float[] y = new float[l.size()];
                for (int i = 0; i < y.length; i++) y[i] = (float) l.get(i).asDouble();
                yield Losses.mse(out.logits(), y);
            }
            case "tokcls", "mlm" -> Losses.crossEntropy(out.logits(), shape[0] * shape[1], shape[2], flat(batch.get("labels")),
                    Losses.IGNORE_INDEX);
            case "qa" -> Losses.questionAnswering(out.logits(), shape[0], shape[1], flat(batch.get("labels_start")),
                    flat(batch.get("labels_end")));
            default -> throw new IllegalArgumentException(task);
        };
    }

    static int[] flat(JsonNode n) {
        List<Integer> v = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode x : n) {
                if (x.isArray()) for (JsonNode y : x) v.add(y.asInt()); else v.add(x.asInt());
            }
        } else {
            v.add(n.asInt());
        }
        return v.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("cases")
    void gradientsAndThreeAdamWSteps(String name, String kernels) {
        JsonNode c = caseNamed(name);
        String task = c.get("task").asText();
        Path dir = Shared.path(c.get("model").asText());
        Path caseDir = Shared.path("fixtures/training/cases/" + name);
        var options = TrainableModel.Options.defaults().withHead(head(task)).withDropouts(Dropouts.NONE)
                .withCompute(kernels.equals("vector") ? vector : scalar);
        try (TrainableModel model = TrainableModel.load(dir, options);
             Weights grads = Checkpoints.openFile(caseDir.resolve("grads_step0.safetensors"));
             Weights after = Checkpoints.openFile(caseDir.resolve("params_after_3_steps.safetensors"))) {
            assertThat(model.initialized()).as("every parameter comes from the checkpoint").isEmpty();
            // the Trainer's weight-decay grouping
            List<String> decayed = new ArrayList<>();
            c.get("decayed_params").forEach(n -> decayed.add(n.asText()));
            assertThat(model.parameters().stream().filter(Param::weightDecay).map(Param::name).sorted().toList())
                    .isEqualTo(decayed.stream().sorted().toList());

            JsonNode opt = manifest.get("optimizer");
            var adam = new AdamW(model.parameters(), AdamW.Config.defaults().withWeightDecay(opt.get("weight_decay").asDouble()));
            var schedule = new LinearSchedule(opt.get("lr").asDouble(), opt.get("warmup_steps").asInt(), opt.get("total_steps").asInt());
            for (int step = 0; step < 3; step++) {
                JsonNode batch = c.get("batches").get(step);
                model.zeroGrad();
                TrainableModel.Output out = model.forward(input(batch), TrainableModel.Mode.deterministicTrain());
                Loss loss = loss(task, out, batch);
                assertThat((double) loss.value()).as("loss of step %d", step)
                        .isCloseTo(c.get("losses").get(step).asDouble(), org.assertj.core.data.Percentage.withPercentage(1e-3));
                model.backward(loss.grad(), null);
                if (step == 0) checkGradients(model, grads, c.get("grad_tolerances"));
                double norm = GradientClipping.clip(model.parameters(), opt.get("clip_grad_norm").asDouble(), model.compute());
                assertThat(norm).as("grad norm of step %d", step)
                        .isCloseTo(c.get("grad_norms_before_clip").get(step).asDouble(), org.assertj.core.data.Percentage.withPercentage(0.01));
                assertThat(schedule.lr(step)).isCloseTo(c.get("lrs").get(step).asDouble(), org.assertj.core.data.Offset.offset(1e-12));
                adam.step(schedule.lr(step), model.compute());
            }
            List<String> failures = new ArrayList<>();
            for (String key : after.names()) {
                float[] want = after.floats(key).toArray(), got = model.param(key).data();
                double tol = c.get("param_tolerances").get(key).get("tolerance").asDouble();
                double diff = maxDiff(want, got);
                if (!(diff <= tol)) failures.add(key + ": " + diff + " > " + tol);
            }
            assertThat(failures).as("parameters after three steps").isEmpty();
        }
    }

    static void checkGradients(TrainableModel model, Weights grads, JsonNode tolerances) {
        List<String> failures = new ArrayList<>();
        for (String key : grads.names()) {
            float[] want = grads.floats(key).toArray(), got = model.param(key).grad();
            double tol = tolerances.get(key).get("tolerance").asDouble();
            double diff = maxDiff(want, got);
            if (!(diff <= tol)) failures.add(key + ": " + diff + " > " + tol);
        }
        assertThat(failures).as("gradients at step 0").isEmpty();
        assertThat(model.parameters().stream().filter(Param::trainable).map(Param::name).sorted().toList())
                .as("one golden gradient per trainable parameter").isEqualTo(grads.names().stream().sorted().toList());
    }

    static double maxDiff(float[] a, float[] b) {
        assertThat(b).hasSameSizeAs(a);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
