package dev.distil4j.train.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.train.HfLayout;
import dev.distil4j.train.Shared;
import dev.distil4j.train.nn.TrainableModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Task-specific distillation of the tiny BERT classifier into the tiny DistilBERT on synthetic sentiment data. */
class TaskDistillerTest {
    static final Path TEACHER = Shared.path("fixtures/training/models/bert-seqcls");
    static final Path STUDENT = Shared.path("fixtures/models/distilbert-mlm");

    static Path data(Path file, int n, long seed) throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String[] r : SyntheticData.sentiment(n, seed)) rows.add(new String[] {r[0], r[1].toUpperCase(Locale.ROOT)});
        return SyntheticData.tsv(file, rows);
    }

    @Test
    void distilsTheTeachersCachedLogitsIntoAClassifier(@TempDir Path tmp) throws IOException {
        Path train = data(tmp.resolve("train.tsv"), 32, 1), dev = data(tmp.resolve("dev.tsv"), 16, 2);
        Path out = tmp.resolve("out");
        TrainingArguments args = TrainingArguments.builder(out).learningRate(1e-3).batchSize(8).maxSteps(12).seed(5).build();
        List<Double> losses = new ArrayList<>();
        List<TrainingListener.Pass> passes = new ArrayList<>();
        List<TrainingListener.TeacherFit> fits = new ArrayList<>();
        try (Compute compute = new Compute(Kernels.scalar(), 2);
             TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, dev, DataArguments.defaults(), args, new TaskDistiller.Weights(2.0, 1.0, 0.5), compute)) {
            TrainResult r = d.distil(new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    losses.add(s.loss());
                }

                @Override
                public void onPass(Pass p) {
                    passes.add(p);
                }

                @Override
                public void onTeacherFit(TeacherFit f) {
                    fits.add(f);
                }
            });
            assertThat(r.globalStep()).isEqualTo(12);
            // reported once, before the steps: the teacher's accuracy and mean top-label probability on the
            // training sequences, at T = 1 and at the run's T = 2, recomputed here from the cached logits
            int right = 0;
            double top = 0, topAtT = 0;
            for (int i = 0; i < d.trainSize(); i++) {
                float[] l = d.teacherLogits(i);
                int best = l[1] > l[0] ? 1 : 0;
                if (best == d.trainFeature(i).labels()[0]) right++;
                double e0 = Math.exp(l[0]), e1 = Math.exp(l[1]), t0 = Math.exp(l[0] / 2.0), t1 = Math.exp(l[1] / 2.0);
                top += Math.max(e0, e1) / (e0 + e1);
                topAtT += Math.max(t0, t1) / (t0 + t1);
            }
            assertThat(fits).hasSize(1);
            TrainingListener.TeacherFit fit = fits.get(0);
            assertThat(fit.examples()).isEqualTo(32);
            assertThat(fit.accuracy()).isEqualTo(right / 32.0);
            assertThat(fit.meanTop()).isCloseTo(top / 32, within(1e-9));
            assertThat(fit.temperature()).isEqualTo(2.0);
            assertThat(fit.meanTopAtT()).isCloseTo(topAtT / 32, within(1e-9)).isLessThan(fit.meanTop());
            assertThat(r.metrics()).containsKey("accuracy");
            assertThat(d.teacherNanos()).isPositive();
            // the cache holds the teacher's eval logits of each example
            try (TrainableModel t = TrainableModel.load(TEACHER, TrainableModel.Options.defaults().withCompute(compute))) {
                Batch b = Batch.collate(Task.TEXT_CLASSIFICATION, List.of(d.trainFeature(3)), new int[] {0}, 0, true);
                float[] expected = t.forward(b.input(), TrainableModel.Mode.eval()).logits();
                float[] cached = d.teacherLogits(3);
                for (int i = 0; i < expected.length; i++) assertThat(cached[i]).isCloseTo(expected[i], within(1e-4f));
            }
        }
        // the listener saw the teacher's pass, batch by batch, before the evaluation's
        assertThat(passes).extracting(TrainingListener.Pass::what).startsWith("teacher", "teacher", "teacher", "teacher", "evaluation");
        assertThat(passes.subList(0, 4)).extracting(TrainingListener.Pass::done).containsExactly(8, 16, 24, 32);
        assertThat(passes.get(3).total()).isEqualTo(32);
        assertThat(passes.get(passes.size() - 1)).isEqualTo(new TrainingListener.Pass("evaluation", 16, 16));
        assertThat((losses.get(10) + losses.get(11)) / 2).isLessThan((losses.get(0) + losses.get(1)) / 2);
        JsonNode config = ModelDirectory.JSON.readTree(out.resolve("config.json").toFile());
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("DistilBertForSequenceClassification");
        assertThat(config.get("id2label").get("1").asText()).isEqualTo("POSITIVE");
        // the MLM student's head is gone, a classifier of the fixture's sizes in its place
        HfLayout.assertSameTensors(out, TrainerTest.tinySeqCls());
        try (TrainableModel m = TrainableModel.load(out, TrainableModel.Options.defaults())) {
            assertThat(m.headType()).isEqualTo(HeadType.SEQUENCE_CLASSIFICATION);
        }
    }

    @Test
    void aStoppedRunResumesExactlyWithoutRecomputingTheTeacher(@TempDir Path tmp) throws IOException {
        Path train = data(tmp.resolve("train.tsv"), 32, 1), dev = data(tmp.resolve("dev.tsv"), 16, 2);
        TrainingArguments.Builder b = TrainingArguments.builder(tmp.resolve("whole")).learningRate(1e-3).batchSize(8)
                .maxSteps(12).saveSteps(4).seed(5);
        List<float[]> whole;
        try (Compute compute = new Compute(Kernels.scalar(), 2);
             TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, dev, DataArguments.defaults(), b.build(), new TaskDistiller.Weights(2.0, 1.0, 0.5), compute)) {
            d.distil(new TrainingListener() {});
            whole = d.student().parameters().stream().map(p -> p.data().clone()).toList();
        }
        Path out = tmp.resolve("stopped");
        b = TrainingArguments.builder(out).learningRate(1e-3).batchSize(8).maxSteps(12).saveSteps(4).seed(5);
        try (Compute compute = new Compute(Kernels.scalar(), 2);
             TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, dev, DataArguments.defaults(), b.build(), new TaskDistiller.Weights(2.0, 1.0, 0.5), compute)) {
            TrainResult r = d.distil(new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    if (s.step() == 5) d.requestStop();
                }
            });
            assertThat(r.interrupted()).isTrue();
            assertThat(r.lastCheckpoint()).isEqualTo(out.resolve("checkpoint-5"));
        }
        assertThat(out.resolve(TaskDistiller.TEACHER_LOGITS)).isRegularFile();
        try (Compute compute = new Compute(Kernels.scalar(), 2);
             TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, dev, DataArguments.defaults(),
                     b.resumeFrom(out.resolve("checkpoint-5")).build(), new TaskDistiller.Weights(2.0, 1.0, 0.5), compute)) {
            TrainResult r = d.distil(new TrainingListener() {});
            assertThat(d.teacherNanos()).as("teacher logits read back, not recomputed").isZero();
            assertThat(r.globalStep()).isEqualTo(12);
            List<float[]> resumed = d.student().parameters().stream().map(p -> p.data()).toList();
            for (int i = 0; i < whole.size(); i++) assertThat(resumed.get(i)).as("parameter %d", i).isEqualTo(whole.get(i));
        }
    }

    @Test
    void aStopDuringTheTeachersPassEndsItWithoutACheckpoint(@TempDir Path tmp) throws IOException {
        Path train = data(tmp.resolve("train.tsv"), 32, 1);
        Path out = tmp.resolve("o");
        TrainingArguments args = TrainingArguments.builder(out).batchSize(8).maxSteps(4).saveSteps(1).build();
        List<Integer> done = new ArrayList<>();
        try (TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, null, DataArguments.defaults(), args, new TaskDistiller.Weights(2, 1, 0), null)) {
            TrainResult r = d.distil(new TrainingListener() {
                @Override
                public void onPass(Pass p) {
                    done.add(p.done());
                    if (p.done() == 16) d.requestStop();
                }

                @Override
                public void onStep(Step s) {
                    throw new AssertionError("no step after a stop in the teacher's pass");
                }
            });
            assertThat(r.interrupted()).isTrue();
            assertThat(r.lastCheckpoint()).isNull();
            assertThat(r.globalStep()).isZero();
        }
        assertThat(done).containsExactly(8, 16);
        assertThat(out.resolve(TaskDistiller.TEACHER_LOGITS)).doesNotExist();
    }

    @Test
    void refusesAnOutputWithCheckpointsBeforeTheTeachersPass(@TempDir Path tmp) throws IOException {
        Path train = data(tmp.resolve("train.tsv"), 8, 1);
        Path out = tmp.resolve("o");
        TrainingArguments args = TrainingArguments.builder(out).batchSize(8).maxSteps(1).saveSteps(1).build();
        try (TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, null, DataArguments.defaults(), args, new TaskDistiller.Weights(2, 1, 0), null)) {
            d.distil(new TrainingListener() {});
        }
        assertThatThrownBy(() -> TaskDistiller.create(TEACHER, STUDENT, train, null, DataArguments.defaults(), args, new TaskDistiller.Weights(2, 1, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already holds checkpoint-1");
    }

    @Test
    void refusesAnMlmTeacher(@TempDir Path tmp) throws IOException {
        Path train = data(tmp.resolve("train.tsv"), 8, 1);
        assertThatThrownBy(() -> TaskDistiller.create(Shared.path("fixtures/training/models/bert-mlm-teacher"), STUDENT, train, null,
                DataArguments.defaults(), TrainingArguments.builder(tmp.resolve("o")).build(), new TaskDistiller.Weights(2, 1, 0), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a fine-tuned sequence classifier");
    }

    @Test
    void patientLossReadsCachedTeacherStatesAndResumesExactly(@TempDir Path tmp) throws IOException {
        Path train = data(tmp.resolve("train.tsv"), 32, 1);
        TaskDistiller.Weights w = new TaskDistiller.Weights(2.0, 1.0, 0.5, 100);
        TrainingArguments.Builder b = TrainingArguments.builder(tmp.resolve("whole")).learningRate(1e-3).batchSize(8)
                .maxSteps(12).saveSteps(4).seed(5);
        List<float[]> whole;
        try (Compute compute = new Compute(Kernels.scalar(), 2);
             TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, null, DataArguments.defaults(), b.build(), w, compute)) {
            d.distil(new TrainingListener() {});
            whole = d.student().parameters().stream().map(p -> p.data().clone()).toList();
            // the cache holds the first-token output of the teacher's layer 0 (PKD-Skip, 2 layers into 2), in eval mode
            try (TrainableModel t = TrainableModel.load(TEACHER, TrainableModel.Options.defaults().withCompute(compute))) {
                Batch one = Batch.collate(Task.TEXT_CLASSIFICATION, List.of(d.trainFeature(3)), new int[] {0}, 0, true);
                float[] expected = t.forward(one.input(), TrainableModel.Mode.eval(), new int[] {0}).firstTokenStates()[0];
                float[] cached = d.teacherStates(3);
                assertThat(cached).hasSize(32);
                for (int i = 0; i < expected.length; i++) assertThat(cached[i]).isCloseTo(expected[i], within(1e-5f));
            }
        }
        assertThat(tmp.resolve("whole").resolve(TaskDistiller.TEACHER_STATES)).isRegularFile();
        Path out = tmp.resolve("stopped");
        b = TrainingArguments.builder(out).learningRate(1e-3).batchSize(8).maxSteps(12).saveSteps(4).seed(5);
        try (Compute compute = new Compute(Kernels.scalar(), 2);
             TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, null, DataArguments.defaults(), b.build(), w, compute)) {
            TrainResult r = d.distil(new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    if (s.step() == 5) d.requestStop();
                }
            });
            assertThat(r.interrupted()).isTrue();
        }
        try (Compute compute = new Compute(Kernels.scalar(), 2);
             TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, null, DataArguments.defaults(),
                     b.resumeFrom(out.resolve("checkpoint-5")).build(), w, compute)) {
            d.distil(new TrainingListener() {});
            assertThat(d.teacherNanos()).as("teacher logits and states read back, not recomputed").isZero();
            List<float[]> resumed = d.student().parameters().stream().map(p -> p.data()).toList();
            for (int i = 0; i < whole.size(); i++) assertThat(resumed.get(i)).as("parameter %d", i).isEqualTo(whole.get(i));
        }
    }

    @Test
    void thePatientLossAloneBringsTheStudentsStatesToTheTeachers(@TempDir Path tmp) throws IOException {
        Path train = data(tmp.resolve("train.tsv"), 32, 1);
        TrainingArguments args = TrainingArguments.builder(tmp.resolve("o")).learningRate(1e-3).batchSize(8).maxSteps(16).seed(5).build();
        List<Double> losses = new ArrayList<>();
        try (TaskDistiller d = TaskDistiller.create(TEACHER, STUDENT, train, null, DataArguments.defaults(), args,
                new TaskDistiller.Weights(2.0, 0, 0, 1), null)) {
            d.distil(new TrainingListener() {
                @Override
                public void onStep(Step s) {
                    losses.add(s.loss());
                }
            });
        }
        // the loss is the patient term alone: a mean of squared differences of unit vectors, in [0, 4 / dim]
        assertThat(losses.get(0)).isBetween(1e-4, 4.0 / 32);
        double first = losses.subList(0, 4).stream().mapToDouble(x -> x).average().orElseThrow();
        double last = losses.subList(12, 16).stream().mapToDouble(x -> x).average().orElseThrow();
        assertThat(last).isLessThan(0.8 * first);
    }

    @Test
    void pkdSkipTakesEveryKthTeacherLayer() {
        assertThat(TaskDistiller.pkdSkip(12, 6)).containsExactly(1, 3, 5, 7, 9);
        assertThat(TaskDistiller.pkdSkip(12, 3)).containsExactly(3, 7);
        assertThat(TaskDistiller.pkdSkip(2, 2)).containsExactly(0);
        assertThatThrownBy(() -> TaskDistiller.pkdSkip(12, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the teacher has 12, the student 5");
        assertThatThrownBy(() -> new TaskDistiller.Weights(2, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TaskDistiller.Weights(2, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
