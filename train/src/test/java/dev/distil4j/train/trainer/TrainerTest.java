package dev.distil4j.train.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.train.HfLayout;
import dev.distil4j.train.Shared;
import dev.distil4j.train.nn.Param;
import dev.distil4j.train.nn.TrainableModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The Trainer end to end on the tiny fixture models: learning, saving, loading back, checkpoints and resuming. */
class TrainerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static Path tinySeqCls() {
        return Shared.path("fixtures/models/distilbert-seqcls");
    }

    static TrainingArguments.Builder tiny(Path out) {
        return TrainingArguments.builder(out).learningRate(1e-3).threads(1);
    }

    /** Collects every step's loss. */
    static final class Losses implements TrainingListener {
        final List<Double> losses = new ArrayList<>();
        final int stopAt;
        Trainer trainer;

        Losses(int stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        public void onStep(Step step) {
            losses.add(step.loss());
            if (step.step() == stopAt) trainer.requestStop();
        }
    }

    @Test
    void fineTunesATinyModelToFullTrainingAccuracyAndSavesAModelDirectoryThatLoadsBack() throws IOException {
        Path data = SyntheticData.tsv(tmp.resolve("train.tsv"), SyntheticData.sentiment(32, 1));
        Path out = tmp.resolve("out");
        TrainResult result;
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, data, DataArguments.defaults(),
                tiny(out).epochs(30).build())) {
            assertThat(t.labels()).containsExactly("negative", "positive");
            result = t.train(new TrainingListener() {});
            assertThat(result.interrupted()).isFalse();
            assertThat(result.globalStep()).isEqualTo(30 * 4);
            assertThat(result.metrics().get("accuracy")).as("training accuracy").isEqualTo(1.0);

            // the directory: transformers' layout, the task's class, the data's labels, the tokenizer
            JsonNode config = JSON.readTree(out.resolve("config.json").toFile());
            assertThat(config.get("architectures").get(0).asText()).isEqualTo("DistilBertForSequenceClassification");
            assertThat(config.get("id2label").toString()).isEqualTo("{\"0\":\"negative\",\"1\":\"positive\"}");
            assertThat(config.get("label2id").toString()).isEqualTo("{\"negative\":0,\"positive\":1}");
            assertThat(config.get("problem_type").asText()).isEqualTo("single_label_classification");
            for (String f : List.of("model.safetensors", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json")) {
                assertThat(out.resolve(f)).isRegularFile();
            }
            assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(30);
            assertThat(Files.readString(out.resolve("config.json"))).as("json.dumps(indent=2)")
                    .startsWith("{\n  \"activation\": \"gelu\",\n  \"architectures\": [\n    \"DistilBert").endsWith("}\n");
            assertThat(Files.isWritable(out.resolve("vocab.txt"))).as("a copy of a read-only file").isTrue();
            HfLayout.assertSameTensors(out, tinySeqCls());

            // loads back with the same outputs: as a TrainableModel bit for bit, in the inference engine within float error
            ModelInput batch = new ModelInput(new int[][] {{3, 148, 226, 4, 0}, {3, 204, 129, 44, 4}},
                    new int[][] {{1, 1, 1, 1, 0}, {1, 1, 1, 1, 1}}, null);
            float[] inMemory = t.model().forward(batch, TrainableModel.Mode.eval()).logits();
            try (TrainableModel back = TrainableModel.load(out, TrainableModel.Options.defaults())) {
                assertThat(back.initialized()).isEmpty();
                assertThat(back.config().labels()).containsExactly("negative", "positive");
                assertThat(back.forward(batch, TrainableModel.Mode.eval()).logits()).isEqualTo(inMemory);
                for (Param p : back.parameters()) assertThat(p.data()).isEqualTo(t.model().param(p.name()).data());
            }
            try (Model inference = Model.load(out)) {
                ModelOutput o = inference.forward(batch);
                float[] logits = o.logits().data();
                for (int i = 0; i < inMemory.length; i++) assertThat(logits[i]).isCloseTo(inMemory[i], within(1e-5f));
            }
        }
        // evaluate reads the model's task and labels from its config and gives the training run's numbers
        Evaluator.Result e = Evaluator.run(out, data, null, DataArguments.defaults(), 8, 1);
        assertThat(e.task()).isEqualTo(Task.TEXT_CLASSIFICATION);
        assertThat(e.metrics()).isEqualTo(result.metrics());
    }

    /**
     * Stopped at step 4 (mid-epoch, mid-accumulation cycle) and resumed: the same losses and parameters, bit
     * for bit, on both kernel sets (the vector kernels give the same bits cold and JIT-compiled; see
     * KernelDeterminismTest).
     */
    @Test
    void resumedRunEqualsUninterruptedRunBitForBit() throws IOException {
        for (Kernels k : new Kernels[] {Kernels.best(), Kernels.scalar()}) {
            try (Compute compute = new Compute(k, 2)) {
                resumeEqualsUninterrupted(compute, tmp.resolve(k.name()));
            }
        }
    }

    void resumeEqualsUninterrupted(Compute compute, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path data = SyntheticData.tsv(dir.resolve("train.tsv"), SyntheticData.sentiment(30, 2));
        Path dev = SyntheticData.tsv(dir.resolve("dev.tsv"), SyntheticData.sentiment(10, 3));
        // 8 micro-batches of 4 per epoch, accumulated by 3: steps of 3, 3 and 2 batches; dropout 0.1 from the config
        TrainingArguments.Builder a = tiny(dir.resolve("a")).epochs(3).batchSize(4).gradientAccumulation(3)
                .warmupRatio(0.2).weightDecay(0.01);
        Losses whole = new Losses(-1);
        List<float[]> wholeParams;
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, dev, DataArguments.defaults(), a.build(), compute)) {
            whole.trainer = t;
            assertThat(t.train(whole).globalStep()).isEqualTo(9);
            wholeParams = t.snapshot();
        }

        Path b = dir.resolve("b");
        Losses first = new Losses(4);
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, dev, DataArguments.defaults(),
                a.outputDir(b).build(), compute)) {
            first.trainer = t;
            TrainResult r = t.train(first);
            assertThat(r.interrupted()).isTrue();
            assertThat(r.lastCheckpoint()).isEqualTo(b.resolve("checkpoint-4"));
            assertThat(b.resolve("config.json")).as("no final model for an unfinished run").doesNotExist();
        }
        assertThat(Trainer.latestCheckpoint(b)).isEqualTo(b.resolve("checkpoint-4"));
        Losses rest = new Losses(-1);
        List<float[]> resumedParams;
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, dev, DataArguments.defaults(),
                a.outputDir(b).resumeFrom(Trainer.latestCheckpoint(b)).build(), compute)) {
            rest.trainer = t;
            assertThat(t.train(rest).globalStep()).isEqualTo(9);
            resumedParams = t.snapshot();
        }
        List<Double> joined = new ArrayList<>(first.losses);
        joined.addAll(rest.losses);
        assertThat(joined).isEqualTo(whole.losses);
        for (int i = 0; i < wholeParams.size(); i++) assertThat(resumedParams.get(i)).isEqualTo(wholeParams.get(i));
        // the evaluations (with the mean training loss since the last one) and the final files match too
        assertThat(Files.readAllLines(b.resolve("metrics.jsonl"))).isEqualTo(Files.readAllLines(dir.resolve("a/metrics.jsonl")));
        assertThat(Files.readAllBytes(b.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(dir.resolve("a/model.safetensors")));
    }

    @Test
    void checkpointsHoldTheModelTheOptimizerAndTheStateAndKeepTheBest() throws IOException {
        Path data = SyntheticData.tsv(tmp.resolve("train.tsv"), SyntheticData.sentiment(16, 4));
        Path out = tmp.resolve("out");
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, data, DataArguments.defaults(),
                tiny(out).batchSize(4).maxSteps(8).saveSteps(2).evalSteps(2).keepBest(true).saveTotalLimit(1)
                        .metricForBest("mcc").build())) {
            TrainResult r = t.train(new TrainingListener() {});
            assertThat(r.bestCheckpoint()).isNotNull();
            List<Path> left = Trainer.checkpoints(out);
            // the limit of one plus the best, which is never deleted
            assertThat(left).contains(r.bestCheckpoint(), out.resolve("checkpoint-8")).hasSizeLessThanOrEqualTo(2);
            Path best = r.bestCheckpoint();
            for (String f : List.of("config.json", "model.safetensors", "vocab.txt", "optimizer.safetensors", "trainer_state.json")) {
                assertThat(best.resolve(f)).isRegularFile();
            }
            JsonNode state = JSON.readTree(best.resolve("trainer_state.json").toFile());
            assertThat(state.get("best_model_checkpoint").asText()).isEqualTo(best.getFileName().toString());
            assertThat(state.get("metric_for_best_model").asText()).isEqualTo("mcc");
            assertThat(state.get("log_history").size()).isGreaterThan(0);
            // the final model is the best checkpoint's
            assertThat(Files.readAllBytes(out.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(best.resolve("model.safetensors")));
            try (Stream<Path> s = Files.list(out)) {
                assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
            }
        }
    }

    @Test
    void refusesToMixRunsInOneOutputDirectory() throws IOException {
        Path data = SyntheticData.tsv(tmp.resolve("train.tsv"), SyntheticData.sentiment(8, 5));
        Path out = tmp.resolve("out");
        TrainingArguments args = tiny(out).batchSize(4).maxSteps(2).build();
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, null, DataArguments.defaults(), args)) {
            t.train(new TrainingListener() {});
        }
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, null, DataArguments.defaults(), args)) {
            assertThatThrownBy(() -> t.train(new TrainingListener() {})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("already holds checkpoint-2").hasMessageContaining("--resume");
        }
        TrainingArguments other = args.toBuilder().batchSize(2).resumeFrom(out.resolve("checkpoint-2")).build();
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, null, DataArguments.defaults(), other)) {
            assertThatThrownBy(() -> t.train(new TrainingListener() {})).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batch size 4, now 2");
        }
        try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, tinySeqCls(), data, null, DataArguments.defaults(),
                args.toBuilder().overwriteOutputDir(true).build())) {
            assertThat(t.train(new TrainingListener() {}).globalStep()).isEqualTo(2);
        }
    }

    @Test
    void anInterruptedSaveLeavesNoCheckpoint() {
        Path target = tmp.resolve("checkpoint-3");
        assertThatThrownBy(() -> ModelDirectory.writeAtomically(target, dir -> {
            Files.writeString(dir.resolve("config.json"), "{}");
            throw new IOException("disk full");
        })).hasMessageContaining("disk full");
        assertThat(target).doesNotExist();
        assertThat(tmp.toFile().list()).isEmpty();
    }

    @Test
    void lengthGroupedOrderFollowsTransformersSampler() {
        // 16 lengths, batch 2 x accumulation 1: megabatches of min(16 / 8, 50) * 2 = 4, sorted longest first,
        // the longest of all moved to the front
        int[] lengths = {3, 9, 4, 1, 7, 7, 2, 8, 5, 6, 12, 3, 2, 2, 6, 1};
        BatchOrder order = new BatchOrder(lengths, 2, 1, false, true, 42);
        List<int[]> batches = order.epoch(0);
        int[] flat = batches.stream().flatMapToInt(java.util.Arrays::stream).toArray();
        assertThat(flat).containsExactly(10, 2, 0, 3, 7, 4, 5, 6, 1, 9, 8, 11, 14, 12, 13, 15);
        // shuffled: every index once per epoch, a new order each epoch, the same order for the same epoch
        BatchOrder shuffled = new BatchOrder(lengths, 3, 2, true, true, 7);
        for (int e = 0; e < 3; e++) {
            assertThat(shuffled.epoch(e).stream().flatMapToInt(java.util.Arrays::stream).sorted().toArray())
                    .containsExactly(java.util.stream.IntStream.range(0, 16).toArray());
            assertThat(shuffled.epoch(e).get(0)).isEqualTo(shuffled.epoch(e).get(0));
        }
        assertThat(shuffled.epoch(0).get(0)[0]).as("the longest first").isEqualTo(10);
        assertThat(flat(shuffled.epoch(0))).isNotEqualTo(flat(shuffled.epoch(1)));
        assertThat(flat(new BatchOrder(lengths, 3, 1, false, false, 7).epoch(0)))
                .containsExactly(java.util.stream.IntStream.range(0, 16).toArray());
    }

    static int[] flat(List<int[]> batches) {
        return batches.stream().flatMapToInt(java.util.Arrays::stream).toArray();
    }

    @Test
    void trainingArgumentsCheckTheirValues() {
        assertThatThrownBy(() -> TrainingArguments.builder(tmp).batchSize(0).build()).hasMessageContaining("batch size");
        assertThatThrownBy(() -> TrainingArguments.builder(tmp).dropout(1f).build()).hasMessageContaining("dropout");
        TrainingArguments d = TrainingArguments.builder(tmp).build();
        assertThat(d.learningRate()).isEqualTo(5e-5);
        assertThat(d.batchSize()).isEqualTo(8);
        assertThat(d.epochs()).isEqualTo(3);
        assertThat(d.maxGradNorm()).isEqualTo(1.0);
        assertThat(d.adamEpsilon()).isEqualTo(1e-8);
        assertThat(d.totalSteps(10)).isEqualTo(30);
        assertThat(d.toBuilder().gradientAccumulation(4).build().totalSteps(10)).as("ceil(10 / 4) * 3").isEqualTo(9);
        assertThat(d.toBuilder().warmupRatio(0.1).build().warmup(25)).isEqualTo(3);
    }
}
