package dev.distil4j.train.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;
import dev.distil4j.train.HfLayout;
import dev.distil4j.train.Shared;
import dev.distil4j.train.nn.Param;
import dev.distil4j.train.nn.TrainableModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Distillation of the tiny BERT MLM teacher into the tiny DistilBERT MLM student on a small generated corpus. */
class DistillerTest {
    static final Path TEACHER = Shared.path("fixtures/training/models/bert-mlm-teacher");
    static final Path STUDENT = Shared.path("fixtures/models/distilbert-mlm");
    static Compute compute;

    @BeforeAll
    static void start() {
        compute = new Compute(Kernels.scalar(), 2); // the same bits in every run of this process
    }

    @AfterAll
    static void stop() {
        compute.close();
    }

    /** Lines of 12 to 20 words from the tiny vocabulary. */
    static Path corpus(Path dir, int lines) throws IOException {
        String[] words = ("the quick brown fox jumps over lazy dog cat sleeps on mat in paris capital of france "
                + "old clock was ticking when he opened door and told stories about village coffee shop").split(" ");
        Random r = new Random(7);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            int n = 12 + r.nextInt(9);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < n; j++) sb.append(j == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
            out.add(sb.toString());
        }
        Path f = dir.resolve("corpus.txt");
        Files.write(f, out);
        return f;
    }

    static Distiller.Builder base(Path out) {
        return Distiller.Options.builder(out).batchSize(4).gradientAccumulation(2).seed(3).loggingSteps(2);
    }

    record Run(List<Double> losses, Distiller.Result result) {}

    static Run run(Path corpus, Distiller.Options o, int stopAfter) {
        List<Double> losses = new ArrayList<>();
        try (Distiller d = Distiller.create(TEACHER, STUDENT, List.of(corpus), o, compute)) {
            Distiller.Result r = d.distil(new Distiller.Listener() {
                @Override
                public void onLosses(Losses l) {
                    assertThat(l.loss()).isCloseTo(o.alphaCe() * l.ce() + o.alphaMlm() * l.mlm() + o.alphaMse() * l.mse()
                            + o.alphaCos() * l.cos(), within(1e-4 * Math.max(1, l.loss())));
                    losses.add(l.loss());
                    if (l.step() == stopAfter) d.requestStop();
                }
            });
            return new Run(losses, r);
        }
    }

    @Test
    void lowersTheLossAndWritesAnMlmDirectoryThatLoadsBack(@TempDir Path tmp) throws IOException {
        Path corpus = corpus(tmp, 16);
        Path out = tmp.resolve("out");
        Run r = run(corpus, base(out).learningRate(3e-3).warmupProp(0).gradientAccumulation(1).maxSteps(16).alphaMse(0.01).build(), -1);
        assertThat(r.losses()).hasSize(16);
        double first = (r.losses().get(0) + r.losses().get(1)) / 2, last = (r.losses().get(14) + r.losses().get(15)) / 2;
        assertThat(last).isLessThan(first);
        assertThat(r.result().interrupted()).isFalse();
        assertThat(r.result().tokensPerSecond()).isPositive();
        JsonNode config = new ObjectMapper().readTree(out.resolve("config.json").toFile());
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("DistilBertForMaskedLM");
        HfLayout.assertSameTensors(out, STUDENT);
        assertThat(out.resolve("vocab.txt")).hasSameTextualContentAs(TEACHER.resolve("vocab.txt"));
        assertThat(out.resolve("checkpoint-16/optimizer.safetensors")).isRegularFile();
        JsonNode state = new ObjectMapper().readTree(out.resolve("trainer_state.json").toFile());
        assertThat(state.get("global_step").asInt()).isEqualTo(16);
        assertThat(state.get("log_history").get(0).has("loss_ce")).isTrue();

        ModelInput in = new ModelInput(new int[][] {{3, 200, 150, 5, 160, 4}}, null, null);
        try (TrainableModel t = TrainableModel.load(out, TrainableModel.Options.defaults().withHead(HeadType.MASKED_LM).withCompute(compute));
             Model m = Model.load(out, Model.Options.defaults().withHead(HeadType.MASKED_LM).withCompute(compute));
             TrainableModel before = TrainableModel.load(STUDENT, TrainableModel.Options.defaults().withHead(HeadType.MASKED_LM).withCompute(compute))) {
            float[] a = t.forward(in, TrainableModel.Mode.eval()).logits();
            float[] b = m.forward(in).logits().data();
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.length; i++) assertThat(b[i]).isCloseTo(a[i], within(1e-4f));
            assertThat(before.forward(in, TrainableModel.Mode.eval()).logits()).isNotEqualTo(a);
        }
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne(@TempDir Path tmp) throws IOException {
        Path corpus = corpus(tmp, 24);
        Path whole = tmp.resolve("whole"), parts = tmp.resolve("parts");
        Run a = run(corpus, base(whole).maxSteps(5).saveSteps(2).build(), -1);
        Run b1 = run(corpus, base(parts).maxSteps(5).saveSteps(2).build(), 3);
        assertThat(b1.result().interrupted()).isTrue();
        assertThat(b1.result().lastCheckpoint()).isEqualTo(parts.resolve("checkpoint-3"));
        Run b2 = run(corpus, base(parts).maxSteps(5).saveSteps(2).resumeFrom(parts.resolve("checkpoint-3")).build(), -1);
        List<Double> joined = new ArrayList<>(b1.losses());
        joined.addAll(b2.losses());
        assertThat(joined).isEqualTo(a.losses());
        assertThat(Files.readAllBytes(parts.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(whole.resolve("model.safetensors")));
        JsonNode sa = new ObjectMapper().readTree(whole.resolve("trainer_state.json").toFile());
        JsonNode sb = new ObjectMapper().readTree(parts.resolve("trainer_state.json").toFile());
        assertThat(sb.get("log_history")).isEqualTo(sa.get("log_history"));
        try (TrainableModel ma = TrainableModel.load(whole, TrainableModel.Options.defaults().withCompute(compute));
             TrainableModel mb = TrainableModel.load(parts, TrainableModel.Options.defaults().withCompute(compute))) {
            for (Param p : ma.parameters()) assertThat(mb.param(p.name()).data()).isEqualTo(p.data());
        }
        // resuming with other settings is refused
        assertThatThrownBy(() -> run(corpus, base(parts).maxSteps(5).saveSteps(2).temperature(3)
                .resumeFrom(parts.resolve("checkpoint-3")).build(), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature 2.0, now 3.0");
        // a fresh run into a directory with checkpoints is refused
        assertThatThrownBy(() -> run(corpus, base(parts).maxSteps(5).build(), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--resume");
    }

    @Test
    void keepsAtMostSaveTotalLimitCheckpoints(@TempDir Path tmp) throws IOException {
        Path corpus = corpus(tmp, 24), out = tmp.resolve("out");
        Run r = run(corpus, base(out).maxSteps(5).saveSteps(1).saveTotalLimit(2).build(), -1);
        assertThat(r.result().globalStep()).isEqualTo(5);
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted().toList())
                    .containsExactly("checkpoint-4", "checkpoint-5");
        }
        assertThatThrownBy(() -> base(out).saveTotalLimit(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("save total limit must be >= 0");
    }

    @Test
    void refusesAStudentWithAnotherVocabulary(@TempDir Path tmp) throws IOException {
        Path student = tmp.resolve("student");
        Files.createDirectories(student);
        try (var s = Files.list(STUDENT)) {
            for (Path f : s.toList()) Files.copy(f, student.resolve(f.getFileName()));
        }
        List<String> vocab = new ArrayList<>(Files.readAllLines(student.resolve("vocab.txt")));
        int cat = vocab.indexOf("cat"), dog = vocab.indexOf("dog");
        vocab.set(cat, "dog");
        vocab.set(dog, "cat");
        Files.write(student.resolve("vocab.txt"), vocab);
        Path corpus = corpus(tmp, 4);
        assertThatThrownBy(() -> Distiller.create(TEACHER, student, List.of(corpus), base(tmp.resolve("o")).build(), compute))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("teacher and student vocabularies differ");
    }

    @Test
    void validatesOptions() {
        Path out = Path.of("x");
        assertThatThrownBy(() -> base(out).temperature(0).build()).hasMessageContaining("temperature");
        assertThatThrownBy(() -> base(out).batchSize(0).build()).hasMessageContaining("batch size");
        assertThatThrownBy(() -> base(out).alphaCe(0).alphaMlm(0).alphaCos(0).build()).hasMessageContaining("loss weight");
        Distiller.Options d = Distiller.Options.builder(out).build();
        assertThat(d.temperature()).isEqualTo(2);
        assertThat(d.alphaCe()).isEqualTo(5);
        assertThat(d.learningRate()).isEqualTo(5e-4);
        assertThat(d.maxGradNorm()).isEqualTo(5);
        assertThat(d.masking()).isEqualTo(MaskingOptions.DEFAULT);
    }
}
