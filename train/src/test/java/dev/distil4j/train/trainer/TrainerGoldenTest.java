package dev.distil4j.train.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.train.Shared;
import dev.distil4j.train.data.LabelSet;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.Weights;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Trainer with --dropout 0 --no-shuffle --no-group-by-length does what transformers + PyTorch did in
 * ../shared/fixtures/training: the cases' three batches as the data, in order (batch size 4), AdamW at
 * lr 1e-3 with weight decay 0.01, warmup 1 of 4 steps, clipping at 1.0: the loss of each step within
 * 1e-5 relative and every parameter after three steps within its tolerance.
 */
class TrainerGoldenTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"distilbert-seqcls", "bert-regression-pairs", "distilbert-tokcls", "distilbert-qa"})
    void threeTrainerStepsEqualTransformers(String name) throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(Shared.path("fixtures/training/manifest.json").toFile());
        JsonNode c = null;
        for (JsonNode x : manifest.get("cases")) if (x.get("name").asText().equals(name)) c = x;
        Task task = switch (c.get("task").asText()) {
            case "seqcls" -> Task.TEXT_CLASSIFICATION;
            case "regression" -> Task.REGRESSION;
            case "tokcls" -> Task.TOKEN_CLASSIFICATION;
            default -> Task.QUESTION_ANSWERING;
        };
        Path modelDir = Shared.path(c.get("model").asText());
        List<Feature> features = new ArrayList<>();
        for (JsonNode b : c.get("batches")) features.addAll(features(task, b));
        ModelConfig config = ModelConfig.read(modelDir.resolve("config.json"));
        LabelSet labels = task == Task.TEXT_CLASSIFICATION || task == Task.TOKEN_CLASSIFICATION ? new LabelSet(config.labels()) : null;
        JsonNode opt = manifest.get("optimizer");
        TrainingArguments args = TrainingArguments.builder(tmp.resolve("out")).learningRate(opt.get("lr").asDouble())
                .weightDecay(opt.get("weight_decay").asDouble()).warmupSteps(opt.get("warmup_steps").asInt())
                .maxSteps(opt.get("total_steps").asInt()).maxGradNorm(opt.get("clip_grad_norm").asDouble())
                .batchSize(4).dropout(0f).shuffle(false).groupByLength(false).saveSteps(100).threads(2).build();
        JsonNode goldenLosses = c.get("losses");
        JsonNode tolerances = c.get("param_tolerances");
        Path after = Shared.path("fixtures/training/cases/" + name + "/params_after_3_steps.safetensors");
        List<String> failures = new ArrayList<>();
        try (Trainer t = new Trainer(task, modelDir, TaskData.of(task, Path.of(name), features), null, labels, args, null);
             Weights want = Checkpoints.openFile(after)) {
            assertThat(t.model().initialized()).isEmpty();
            t.train(new TrainingListener() {
                @Override
                public void onStep(Step step) {
                    if (step.step() > 3) return;
                    double golden = goldenLosses.get(step.step() - 1).asDouble();
                    assertThat(step.loss()).as("loss of step %d", step.step())
                            .isCloseTo(golden, org.assertj.core.data.Offset.offset(1e-5 * Math.abs(golden)));
                    if (step.step() < 3) return;
                    for (String key : want.names()) {
                        float[] w = want.floats(key).toArray(), got = t.model().param(key).data();
                        double diff = 0;
                        for (int i = 0; i < w.length; i++) diff = Math.max(diff, Math.abs((double) w[i] - got[i]));
                        double tol = tolerances.get(key).get("tolerance").asDouble();
                        if (!(diff <= tol)) failures.add(key + ": " + diff + " > " + tol);
                    }
                    t.requestStop();
                }
            });
        }
        assertThat(failures).as("parameters after three steps").isEmpty();
    }

    /** The batch's rows without their padding, as the Trainer's features. */
    static List<Feature> features(Task task, JsonNode batch) {
        List<Feature> out = new ArrayList<>();
        JsonNode ids = batch.get("input_ids"), mask = batch.get("attention_mask"), types = batch.get("token_type_ids");
        for (int r = 0; r < ids.size(); r++) {
            int n = 0;
            for (JsonNode m : mask.get(r)) n += m.asInt();
            int[] id = new int[n], type = new int[n];
            for (int i = 0; i < n; i++) {
                id[i] = ids.get(r).get(i).asInt();
                type[i] = types == null ? 0 : types.get(r).get(i).asInt();
            }
            out.add(switch (task) {
                case TEXT_CLASSIFICATION -> new Feature(id, type, new int[] {batch.get("labels").get(r).asInt()}, Float.NaN);
                case REGRESSION -> new Feature(id, type, null, (float) batch.get("labels").get(r).asDouble());
                case TOKEN_CLASSIFICATION -> {
                    int[] l = new int[n];
                    for (int i = 0; i < n; i++) l[i] = batch.get("labels").get(r).get(i).asInt();
                    yield new Feature(id, type, l, Float.NaN);
                }
                case QUESTION_ANSWERING -> new Feature(id, type, new int[] {batch.get("labels_start").get(r).asInt(),
                        batch.get("labels_end").get(r).asInt()}, Float.NaN);
            });
        }
        return out;
    }
}
