package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
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

/** {@code distil4j distil} with the tiny BERT teacher and DistilBERT student of ../shared. */
class DistilCommandTest {
    static String teacher, student;
    @TempDir
    static Path tmp;
    static Path corpus;

    @BeforeAll
    static void setUp() throws IOException {
        teacher = CliRun.shared("fixtures/training/models/bert-mlm-teacher").toString();
        student = CliRun.shared("fixtures/models/distilbert-mlm").toString();
        String[] words = "the quick brown fox jumps over lazy dog cat sleeps on mat in paris old clock coffee shop".split(" ");
        Random r = new Random(1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            StringBuilder sb = new StringBuilder("once upon a time");
            for (int j = 0; j < 10; j++) sb.append(' ').append(words[r.nextInt(words.length)]);
            lines.add(sb.toString());
        }
        corpus = tmp.resolve("corpus.txt");
        Files.write(corpus, lines);
    }

    static CliRun.Result distil(String... extra) {
        List<String> args = new ArrayList<>(List.of("distil", "--teacher", teacher, "--corpus", corpus.toString(),
                "--batch-size", "4", "--gradient-accumulation", "1", "--threads", "2", "--no-progress"));
        args.addAll(List.of(extra));
        return CliRun.run("", args.toArray(String[]::new));
    }

    @Test
    void distilsAStudentInitialisedFromTheTeacherAndResumes() throws IOException {
        Path out = tmp.resolve("init");
        CliRun.Result r = distil("--init-from-teacher", "--init-layers", "0,2", "--output", out.toString(), "--max-steps", "3",
                "--save-steps", "2", "--alpha-mse", "0.5", "--restrict-ce-to-mask");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("initialised the student").contains("tokens/s (teacher forward + student step)")
                .contains("saved " + out.resolve("checkpoint-2"));
        assertThat(out.resolve("student-init/config.json")).isRegularFile();
        JsonNode config = CliRun.MAPPER.readTree(out.resolve("config.json").toFile());
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("DistilBertForMaskedLM");
        assertThat(config.get("n_layers").asInt()).isEqualTo(2);
        // a fresh run into it is refused; --resume from checkpoint-2 continues
        CliRun.Result again = distil("--init-from-teacher", "--init-layers", "0,2", "--output", out.toString(), "--max-steps", "3",
                "--save-steps", "2", "--alpha-mse", "0.5", "--restrict-ce-to-mask");
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("--resume");
        CliRun.Result resumed = distil("--init-from-teacher", "--init-layers", "0,2", "--output", out.toString(), "--max-steps", "3",
                "--save-steps", "2", "--alpha-mse", "0.5", "--restrict-ce-to-mask", "--resume", out.resolve("checkpoint-2").toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming after step 2").contains("tokenised before");
        // fill-mask reads the result
        CliRun.Result fill = CliRun.run("the [MASK] sleeps on the mat\n", "fill-mask", "--model", out.toString());
        assertThat(fill.code()).as(fill.err()).isZero();
    }

    @Test
    void distilsAGivenStudent() {
        Path out = tmp.resolve("given");
        CliRun.Result r = distil("--student", student, "--output", out.toString(), "--max-steps", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(out.resolve("model.safetensors")).isRegularFile();
        assertThat(r.err()).contains("12 of 12 lines kept");
    }

    @Test
    void badInputsExit2WithOneClearLine() throws IOException {
        Path out = tmp.resolve("bad");
        expect(distil("--student", student, "--output", out.toString(), "--corpus", tmp.resolve("missing.txt").toString()),
                "--corpus: no such file");
        expect(distil("--output", out.toString()), "give either --student DIR or --init-from-teacher");
        expect(distil("--student", student, "--init-from-teacher", "--output", out.toString()), "give either");
        expect(distil("--student", student, "--output", out.toString(), "--temperature", "0"), "temperature must be > 0");
        expect(distil("--student", student, "--output", out.toString(), "--word-mask", "0.5"), "--word-mask + --word-keep + --word-rand must be 1");
        expect(distil("--student", student, "--output", out.toString(), "--epochs", "0"), "epochs must be >= 1");
        expect(distil("--student", student, "--output", out.toString(), "--alpha-ce", "-1"), "loss weights must be >= 0");
        expect(distil("--student", student, "--output", out.toString(), "--resume"), "--resume: no checkpoint");
        expect(distil("--student", student, "--output", out.toString(), "--alpha-pkd", "100"), "--alpha-task and --alpha-pkd go with --task");
        // a student whose vocabulary numbers the tokens otherwise
        Path other = tmp.resolve("other-student");
        Files.createDirectories(other);
        try (var s = Files.list(Path.of(student))) {
            for (Path f : s.toList()) Files.copy(f, other.resolve(f.getFileName()));
        }
        List<String> vocab = new ArrayList<>(Files.readAllLines(other.resolve("vocab.txt")));
        int a = vocab.indexOf("fox"), b = vocab.indexOf("dog");
        vocab.set(a, "dog");
        vocab.set(b, "fox");
        Files.write(other.resolve("vocab.txt"), vocab);
        expect(distil("--student", other.toString(), "--output", out.toString()), "teacher and student vocabularies differ");
    }

    @Test
    void distilsAFineTunedClassifierOnItsTask() throws IOException {
        StringBuilder tsv = new StringBuilder("sentence\tlabel\n");
        String[] filler = "the cat dog sat on mat in paris old clock shop".split(" ");
        Random r = new Random(4);
        for (int i = 0; i < 24; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < 5; j++) s.append(filler[r.nextInt(filler.length)]).append(' ');
            s.append(i % 2 == 0 ? "love" : "waste");
            tsv.append(s).append('\t').append(i % 2 == 0 ? "POSITIVE" : "NEGATIVE").append('\n');
        }
        Path train = Files.writeString(tmp.resolve("task.tsv"), tsv);
        Path out = tmp.resolve("task-out");
        CliRun.Result ok = CliRun.run("", "distil", "--task", "text-classification",
                "--teacher", CliRun.shared("fixtures/training/models/bert-seqcls").toString(), "--student", student,
                "--train", train.toString(), "--validation", train.toString(), "--output", out.toString(),
                "--max-steps", "4", "--batch-size", "8", "--alpha-task", "0.5", "--threads", "2", "--no-progress");
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.err()).contains("the teacher's logits of ").contains("tokens/s")
                .containsPattern("the teacher on the 24 training sequences: accuracy [01]\\.\\d{4}, mean probability of its top label "
                        + "0\\.\\d{4} \\(at temperature 2: 0\\.\\d{4}\\)");
        assertThat(ok.out()).contains("accuracy"); // the evaluation table, as train prints it
        assertThat(out.resolve("checkpoint-4")).isDirectory();
        // a resume reads the teacher's logits back instead of recomputing them
        CliRun.Result resumed = CliRun.run("", "distil", "--task", "text-classification",
                "--teacher", CliRun.shared("fixtures/training/models/bert-seqcls").toString(), "--student", student,
                "--train", train.toString(), "--output", out.toString(), "--max-steps", "4", "--batch-size", "8",
                "--alpha-task", "0.5", "--threads", "2", "--no-progress", "--resume");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming after step 4").doesNotContain("the teacher's logits of ");
        JsonNode config = CliRun.MAPPER.readTree(out.resolve("config.json").toFile());
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("DistilBertForSequenceClassification");
        expect(CliRun.run("", "distil", "--task", "text-classification", "--teacher", teacher, "--student", student,
                "--train", train.toString(), "--output", out.toString()), "not a fine-tuned sequence classifier");
        expect(CliRun.run("", "distil", "--task", "ner", "--teacher", teacher, "--student", student,
                "--train", train.toString(), "--output", out.toString()), "only text-classification");
        // the student from the fine-tuned teacher's own layers: a DistilBERT encoder in DIR/student-init, then the classifier
        Path fromTeacher = tmp.resolve("task-init");
        CliRun.Result init = CliRun.run("", "distil", "--task", "text-classification",
                "--teacher", CliRun.shared("fixtures/training/models/bert-seqcls").toString(), "--init-from-teacher", "--init-layers", "1",
                "--train", train.toString(), "--output", fromTeacher.toString(), "--max-steps", "2", "--batch-size", "8",
                "--threads", "2", "--no-progress");
        assertThat(init.code()).as(init.err()).isZero();
        assertThat(init.err()).contains("initialised the student from teacher layers 1 in ");
        JsonNode initConfig = CliRun.MAPPER.readTree(fromTeacher.resolve("student-init/config.json").toFile());
        assertThat(initConfig.get("architectures").get(0).asText()).isEqualTo("DistilBertModel");
        assertThat(initConfig.get("n_layers").asInt()).isEqualTo(1);
        JsonNode distilled = CliRun.MAPPER.readTree(fromTeacher.resolve("config.json").toFile());
        assertThat(distilled.get("architectures").get(0).asText()).isEqualTo("DistilBertForSequenceClassification");
        assertThat(distilled.get("n_layers").asInt()).isEqualTo(1);
        // the patient loss: the teacher's first-token states cached beside its logits; a 1-layer student has no layer to match
        Path patient = tmp.resolve("task-pkd");
        CliRun.Result pkd = CliRun.run("", "distil", "--task", "text-classification",
                "--teacher", CliRun.shared("fixtures/training/models/bert-seqcls").toString(), "--student", student,
                "--train", train.toString(), "--output", patient.toString(), "--max-steps", "2", "--batch-size", "8",
                "--alpha-task", "0.5", "--alpha-pkd", "100", "--threads", "2", "--no-progress");
        assertThat(pkd.code()).as(pkd.err()).isZero();
        assertThat(patient.resolve("teacher_states.safetensors")).isRegularFile();
        expect(CliRun.run("", "distil", "--task", "text-classification",
                "--teacher", CliRun.shared("fixtures/training/models/bert-seqcls").toString(), "--student", fromTeacher.resolve("student-init").toString(),
                "--train", train.toString(), "--output", tmp.resolve("task-pkd-1").toString(), "--alpha-pkd", "100"),
                "needs a student of 2 or more layers whose count divides the teacher's: the teacher has 2, the student 1");
    }

    @Test
    void evaluateScoresAnMlmOnHeldOutText() throws IOException {
        CliRun.Result a = CliRun.run("", "evaluate", "--task", "fill-mask", "--model", student, "--data", corpus.toString(),
                "--batch-size", "4", "--seed", "7", "--threads", "1");
        assertThat(a.code()).as(a.err()).isZero();
        String[] lines = a.out().strip().split("\n");
        JsonNode m = CliRun.MAPPER.readTree(lines[lines.length - 1]);
        assertThat(m.fieldNames()).toIterable().containsExactly("mlm_accuracy", "mlm_loss", "masked_total", "examples");
        assertThat(m.get("examples").asInt()).isEqualTo(12);
        // 12 lines of 14 words -> 16 tokens each with [CLS] and [SEP]; batches of 4: ceil(0.15 * 64) = 10 masked per batch
        assertThat(m.get("masked_total").asInt()).isEqualTo(30);
        assertThat(m.get("mlm_accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(m.get("mlm_loss").asDouble()).isPositive();
        CliRun.Result t = CliRun.run("", "evaluate", "--task", "fill-mask", "--model", teacher, "--data", corpus.toString(),
                "--batch-size", "4", "--seed", "7", "--threads", "1");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("\"masked_total\":30");
    }

    private static void expect(CliRun.Result r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("distil4j distil: ").contains(message);
    }
}
