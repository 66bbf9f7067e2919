package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.model.ModelInput;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.nn.TrainableModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code train} and {@code evaluate} through the command line: every data format, every bad record, resuming, SIGTERM. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    static String model(String name) {
        return CliRun.shared("fixtures/models/" + name).toString();
    }

    static final String[] FILLER = {"the", "cat", "dog", "fox", "mat", "coffee", "cup", "clock", "door", "movie",
            "letter", "village", "shop", "is", "was", "on", "in", "warm", "small", "old", "quick", "brown"};

    /** Sentences of 3 to 8 words from the tiny vocabulary; the even ones hold "love", the odd ones "waste". */
    static List<String> sentences(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 3 + r.nextInt(6), at = r.nextInt(len);
            StringBuilder s = new StringBuilder();
            for (int w = 0; w < len; w++) s.append(w > 0 ? " " : "").append(w == at ? (i % 2 == 0 ? "love" : "waste") : FILLER[r.nextInt(FILLER.length)]);
            out.add(s.toString());
        }
        return out;
    }

    Path sst(String name, int n, long seed) throws IOException {
        StringBuilder s = new StringBuilder("sentence\tlabel\n");
        List<String> texts = sentences(n, seed);
        for (int i = 0; i < n; i++) s.append(texts.get(i)).append('\t').append(i % 2 == 0 ? "positive" : "negative").append('\n');
        return write(name, s.toString());
    }

    Path write(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    static String[] args(String... a) {
        return a;
    }

    static CliRun.Result run(String... args) {
        return CliRun.run("", args);
    }

    /** The last stdout line as JSON. */
    static JsonNode lastJson(CliRun.Result r) {
        List<JsonNode> lines = r.lines();
        return lines.get(lines.size() - 1);
    }

    static JsonNode json(Path file) throws IOException {
        return CliRun.MAPPER.readTree(file.toFile());
    }

    @Test
    void trainsPrintsATablePerEvaluationAndTheModelServesTheClassifyPipeline() throws IOException {
        Path train = sst("train.tsv", 32, 1), dev = sst("dev.tsv", 10, 2), out = tmp.resolve("out");
        CliRun.Result r = run("train", "--task", "text-classification", "--model", model("distilbert-seqcls"),
                "--train", train.toString(), "--validation", dev.toString(), "--output", out.toString(),
                "--learning-rate", "1e-3", "--epochs", "3", "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> table = r.out().lines().toList();
        assertThat(table).hasSize(4);
        assertThat(table.get(0).strip().split(" +")).containsExactly("step", "epoch", "train_loss", "accuracy", "f1", "mcc", "examples");
        assertThat(table.get(3).strip().split(" +")[0]).isEqualTo("12");
        assertThat(table.get(3).strip().split(" +")[6]).isEqualTo("10");
        assertThat(r.err()).contains("text-classification of").contains("32 training sequences").contains("labels [negative, positive]")
                .contains("saved " + out.resolve("checkpoint-12")).contains("done: 12 steps");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(3);

        // the classify pipeline reads the directory: its labels, and the scores of the trained weights
        String text = "I love the warm coffee";
        CliRun.Result c = run("classify", "--model", out.toString(), "--top-k", "all", text);
        assertThat(c.code()).as(c.err()).isZero();
        JsonNode scores = lastJson(c);
        Encoding enc = Tokenizer.fromDirectory(out).encode(text);
        try (TrainableModel m = TrainableModel.load(out, TrainableModel.Options.defaults())) {
            float[] logits = m.forward(new ModelInput(new int[][] {enc.ids()}, null, null), TrainableModel.Mode.eval()).logits();
            double z = Math.exp(logits[0]) + Math.exp(logits[1]);
            for (JsonNode s : scores) {
                int id = s.get("label").asText().equals("negative") ? 0 : 1;
                assertThat(s.get("score").asDouble()).isCloseTo(Math.exp(logits[id]) / z, within(1e-5));
            }
        }

        // evaluate: the same metrics as the last evaluation, as one JSON object on the last line
        CliRun.Result e = run("evaluate", "--model", out.toString(), "--data", dev.toString(), "--threads", "1");
        assertThat(e.code()).as(e.err()).isZero();
        JsonNode metrics = lastJson(e);
        assertThat(metrics.fieldNames()).toIterable().containsExactly("accuracy", "f1", "mcc", "examples");
        assertThat(metrics.get("examples").asInt()).isEqualTo(10);
        JsonNode logged = CliRun.MAPPER.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(2));
        assertThat(metrics.get("accuracy").asDouble()).isEqualTo(logged.get("accuracy").asDouble());
    }

    /** Trains two steps on each format and task, then evaluates; checks what config.json says. */
    CliRun.Result trainAndEvaluate(String task, String model, Path train, Path dev, String... extra) throws IOException {
        Path out = tmp.resolve("out-" + train.getFileName());
        List<String> a = new ArrayList<>(List.of("train", "--task", task, "--model", model, "--train", train.toString(),
                "--validation", dev.toString(), "--output", out.toString(), "--max-steps", "2", "--batch-size", "4",
                "--threads", "1", "--quiet"));
        a.addAll(List.of(extra));
        CliRun.Result r = run(a.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).as("--quiet").isEmpty();
        List<String> e = new ArrayList<>(List.of("evaluate", "--model", out.toString(), "--data", dev.toString(), "--threads", "1"));
        for (int i = 0; i < extra.length; i++) {
            if (extra[i].startsWith("--text") || extra[i].equals("--max-length") || extra[i].equals("--doc-stride")) {
                e.add(extra[i]);
                e.add(extra[++i]);
            }
        }
        CliRun.Result ev = run(e.toArray(String[]::new));
        assertThat(ev.code()).as(ev.err()).isZero();
        return ev;
    }

    @Test
    void csvPairsWithNamedColumnsOnRoberta() throws IOException {
        String csv = "premise,hypothesis,label\n"
                + "\"the cat, the dog\",the cat is old,entailment\n"
                + "the fox is quick,\"the fox is \"\"slow\"\"\",contradiction\n"
                + "a cup of coffee,the shop is warm,neutral\n"
                + "the door was open,the door was open,entailment\n";
        Path train = write("pairs.csv", csv);
        JsonNode m = lastJson(trainAndEvaluate("text-classification", model("roberta-seqcls"), train, train,
                "--text-column", "premise", "--text-pair-column", "hypothesis"));
        assertThat(m.get("examples").asInt()).isEqualTo(4);
        JsonNode config = json(tmp.resolve("out-pairs.csv/config.json"));
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("RobertaForSequenceClassification");
        assertThat(config.get("id2label").toString()).isEqualTo("{\"0\":\"contradiction\",\"1\":\"entailment\",\"2\":\"neutral\"}");
        assertThat(tmp.resolve("out-pairs.csv/merges.txt")).isRegularFile();
        assertThat(tmp.resolve("out-pairs.csv/vocab.json")).isRegularFile();
    }

    @Test
    void jsonLinesWithNumericLabels() throws IOException {
        StringBuilder s = new StringBuilder();
        List<String> texts = sentences(8, 3);
        for (int i = 0; i < 8; i++) s.append("{\"text\": \"").append(texts.get(i)).append("\", \"label\": ").append(i % 2).append("}\n");
        Path train = write("train.jsonl", s.toString());
        JsonNode m = lastJson(trainAndEvaluate("text-classification", model("distilbert-seqcls"), train, train));
        assertThat(m.get("examples").asInt()).isEqualTo(8);
        JsonNode config = json(tmp.resolve("out-train.jsonl/config.json"));
        assertThat(config.get("label2id").toString()).isEqualTo("{\"0\":0,\"1\":1}");
    }

    @Test
    void regressionOnSentencePairs() throws IOException {
        String tsv = "index\tsentence1\tsentence2\tlabel\n"
                + "0\tthe cat is old\tthe cat is old\t5.000\n"
                + "1\tthe fox is quick\tthe dog was small\t0.500\n"
                + "2\ta cup of coffee\ta warm cup of coffee\t3.800\n"
                + "3\tthe door was open\tthe shop is warm\t1.250\n";
        Path train = write("stsb.tsv", tsv);
        JsonNode m = lastJson(trainAndEvaluate("regression", CliRun.shared("fixtures/training/models/bert-regression").toString(), train, train));
        assertThat(m.fieldNames()).toIterable().containsExactly("pearson", "spearmanr", "mse", "examples");
        JsonNode config = json(tmp.resolve("out-stsb.tsv/config.json"));
        assertThat(config.get("problem_type").asText()).isEqualTo("regression");
        assertThat(config.get("id2label").size()).isEqualTo(1);
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("BertForSequenceClassification");
    }

    static final String CONLL = "-DOCSTART- O\n\nanna B-PER\nlived O\nin O\nparis B-LOC\n\n"
            + "the O\nvillage B-LOC\nnear O\nzurich B-LOC\nvalley I-LOC\n\nanna B-PER\nsmith I-PER\nwrote O\n\n";

    @Test
    void conllTokenClassification() throws IOException {
        Path train = write("train.conll", CONLL);
        CliRun.Result r = trainAndEvaluate("token-classification", model("distilbert-tokcls"), train, train);
        JsonNode m = lastJson(r);
        assertThat(m.fieldNames()).toIterable().containsExactly("precision", "recall", "f1", "accuracy", "examples");
        assertThat(m.get("examples").asInt()).isEqualTo(3);
        JsonNode config = json(tmp.resolve("out-train.conll/config.json"));
        assertThat(config.get("architectures").get(0).asText()).isEqualTo("DistilBertForTokenClassification");
        assertThat(config.get("id2label").toString())
                .isEqualTo("{\"0\":\"B-LOC\",\"1\":\"B-PER\",\"2\":\"I-LOC\",\"3\":\"I-PER\",\"4\":\"O\"}");
        assertThat(config.has("problem_type")).isFalse();
        CliRun.Result ner = run("ner", "--model", tmp.resolve("out-train.conll").toString(), "anna lived in paris");
        assertThat(ner.code()).as(ner.err()).isZero();
        assertThat(lastJson(ner).isArray()).isTrue();
    }

    static String squad(boolean v2) {
        String impossible = v2 ? ", {\"id\": \"q3\", \"question\": \"who wrote the letter?\", \"answers\": [], \"is_impossible\": true}" : "";
        return "{\"version\": \"" + (v2 ? "v2.0" : "1.1") + "\", \"data\": [{\"title\": \"t\", \"paragraphs\": [\n"
                + "{\"context\": \"the cat sleeps on the warm mat in the village\", \"qas\": [\n"
                + "  {\"id\": \"q1\", \"question\": \"where does the cat sleep?\", \"answers\": [{\"text\": \"the warm mat\", \"answer_start\": 18}]},\n"
                + "  {\"id\": \"q2\", \"question\": \"what is warm?\", \"answers\": [{\"text\": \"mat\", \"answer_start\": 27}]}" + impossible + "\n"
                + "]}]}]}\n";
    }

    @Test
    void squadV1AndV2QuestionAnswering() throws IOException {
        Path v1 = write("squad1.json", squad(false));
        JsonNode m1 = lastJson(trainAndEvaluate("question-answering", model("distilbert-qa"), v1, v1, "--max-length", "64", "--doc-stride", "16"));
        assertThat(m1.fieldNames()).toIterable().containsExactly("exact_match", "f1", "examples");
        assertThat(m1.get("examples").asInt()).isEqualTo(2);
        assertThat(json(tmp.resolve("out-squad1.json/config.json")).get("architectures").get(0).asText())
                .isEqualTo("DistilBertForQuestionAnswering");
        CliRun.Result qa = run("qa", "--model", tmp.resolve("out-squad1.json").toString(), "--context",
                "the cat sleeps on the warm mat in the village", "where does the cat sleep?");
        assertThat(qa.code()).as(qa.err()).isZero();
        assertThat(lastJson(qa).has("answer")).isTrue();
        Path v2 = write("squad2.json", squad(true));
        JsonNode m2 = lastJson(trainAndEvaluate("question-answering", model("distilbert-qa"), v2, v2, "--max-length", "64", "--doc-stride", "16"));
        assertThat(m2.has("exact")).isTrue();
        assertThat(m2.get("HasAns_total").asInt()).isEqualTo(2);
        assertThat(m2.get("NoAns_total").asInt()).isEqualTo(1);
    }

    /** A bad record stops the run with exit code 2 and one line naming the file and line; no stack trace. */
    void bad(String fileName, String content, String expectedAt, String reason, String... extra) throws IOException {
        Path file = write(fileName, content);
        String task = fileName.endsWith(".conll") ? "token-classification" : fileName.endsWith(".json") ? "question-answering"
                : fileName.startsWith("reg") ? "regression" : "text-classification";
        String m = switch (task) {
            case "token-classification" -> model("distilbert-tokcls");
            case "question-answering" -> model("distilbert-qa");
            case "regression" -> CliRun.shared("fixtures/training/models/bert-regression").toString();
            default -> model("distilbert-seqcls");
        };
        List<String> a = new ArrayList<>(List.of("train", "--task", task, "--model", m, "--train", file.toString(),
                "--output", tmp.resolve("bad-out").toString(), "--max-steps", "1", "--threads", "1"));
        a.addAll(List.of(extra));
        CliRun.Result r = run(a.toArray(String[]::new));
        assertThat(r.code()).as(fileName + ": " + r.err()).isEqualTo(2);
        String where = tmp.resolve(expectedAt).toString();
        assertThat(r.err()).as(fileName).startsWith("distil4j train: " + where + ": ").contains(reason)
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.err().strip().lines().count()).as(fileName + ": one line").isEqualTo(1);
    }

    @Test
    void everyBadRecordIsAnErrorWithItsFileAndLine() throws IOException {
        bad("fields.tsv", "sentence\tlabel\nthe cat\tpositive\nthe dog\tnegative\textra\n", "fields.tsv:3",
                "expected 2 tab-separated fields");
        bad("empty.tsv", "sentence\tlabel\nthe cat\tpositive\nthe dog\tnegative\nthe fox\t \n", "empty.tsv:4", "empty label");
        bad("unknown.tsv", "sentence\tlabel\nthe cat\tneutral\nthe dog\tnegative\n", "unknown.tsv:2", "unknown label 'neutral'",
                "--labels", "negative,positive");
        bad("reg.tsv", "sentence\tlabel\nthe cat\t1.5\nthe dog\tabc\n", "reg.tsv:3", "'abc' is not a number");
        bad("quote.csv", "sentence,label\nthe cat,positive\n\"the dog,negative\n", "quote.csv:3", "never closed");
        bad("broken.jsonl", "{\"text\": \"the cat\", \"label\": \"positive\"}\n{\"text\": \"the dog\", \"label\": \n", "broken.jsonl:2",
                "invalid JSON");
        bad("nolabel.jsonl", "{\"text\": \"the cat\", \"label\": \"positive\"}\n{\"text\": \"the dog\", \"label\": \"negative\"}\n"
                + "{\"text\": \"the fox\"}\n", "nolabel.jsonl:3", "missing label");
        bad("field.conll", "anna B-PER\nlived\n\n", "field.conll:2", "found one field");
        bad("offset.json", squad(false).replace("\"answer_start\": 18", "\"answer_start\": 17"), "offset.json:3",
                "question 'q1'");
        bad("dup.json", squad(false).replace("\"id\": \"q2\"", "\"id\": \"q1\""), "dup.json:4", "id already used");
        bad("missing.tsv", "text\tlabel\nthe cat\tpositive\n", "missing.tsv:1", "column 'sentence': missing (found [text, label])",
                "--text-column", "sentence");

        // the validation file is read with the training file's labels
        Path train = sst("good.tsv", 8, 4);
        Path dev = write("dev.tsv", "sentence\tlabel\nthe cat\tpositive\nthe dog\tneutral\n");
        CliRun.Result r = run("train", "--task", "text-classification", "--model", model("distilbert-seqcls"), "--train", train.toString(),
                "--validation", dev.toString(), "--output", tmp.resolve("o").toString(), "--threads", "1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("distil4j train: " + dev + ":3: ").contains("unknown label 'neutral'");
        Path conllDev = write("dev.conll", "anna B-PER\nlived B-MISC\n\n");
        r = run("train", "--task", "token-classification", "--model", model("distilbert-tokcls"), "--train",
                write("t.conll", CONLL).toString(), "--validation", conllDev.toString(), "--output", tmp.resolve("o2").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("distil4j train: " + conllDev + ":2: ").contains("unknown label 'B-MISC'");
    }

    @Test
    void skipBadRecordsCountsAndListsThem() throws IOException {
        StringBuilder s = new StringBuilder("sentence\tlabel\n");
        List<String> texts = sentences(8, 5);
        for (int i = 0; i < 8; i++) s.append(texts.get(i)).append('\t').append(i % 2 == 0 ? "positive" : "negative").append('\n');
        s.append("one field only\n");
        Path train = write("skip.tsv", s.toString());
        CliRun.Result r = run("train", "--task", "text-classification", "--model", model("distilbert-seqcls"), "--train", train.toString(),
                "--output", tmp.resolve("o").toString(), "--max-steps", "1", "--threads", "1", "--skip-bad-records", "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("skipped 1 bad record").contains(train + ":10: expected 2 tab-separated fields");
    }

    @Test
    void userErrorsExitWithCodeTwo() throws IOException {
        Path train = sst("t.tsv", 8, 6);
        String m = model("distilbert-seqcls");
        String out = tmp.resolve("o").toString();
        CliRun.Result r = run("train", "--task", "summarization", "--model", m, "--train", train.toString(), "--output", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown task 'summarization'");
        r = run("train", "--task", "text-classification", "--model", m, "--train", tmp.resolve("nope.tsv").toString(), "--output", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--train: no such file");
        r = run("train", "--task", "text-classification", "--model", m, "--train", train.toString(), "--output", out, "--resume");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no checkpoint in " + out);
        r = run("train", "--task", "text-classification", "--model", m, "--train", train.toString(), "--output", out, "--dropout", "1.5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("dropout must be in [0, 1)");
        Path three = write("three.tsv", "sentence\tlabel\nthe cat\ta\nthe dog\tb\nthe fox\tc\n");
        r = run("train", "--task", "text-classification", "--model", m, "--train", three.toString(), "--output", out);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("for 2 labels").contains("the data has 3");
        r = run("evaluate", "--model", m, "--data", tmp.resolve("nope.tsv").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--data: no such file");
    }

    @Test
    void resumeContinuesFromACheckpoint() throws IOException {
        Path train = sst("t.tsv", 16, 7);
        Path out = tmp.resolve("o");
        String[] base = {"train", "--task", "text-classification", "--model", model("distilbert-seqcls"), "--train", train.toString(),
                "--output", out.toString(), "--max-steps", "6", "--save-steps", "3", "--batch-size", "4", "--threads", "1", "--quiet"};
        CliRun.Result r = run(base);
        assertThat(r.code()).as(r.err()).isZero();
        byte[] uninterrupted = Files.readAllBytes(out.resolve("model.safetensors"));
        assertThat(json(out.resolve("checkpoint-3/trainer_state.json")).get("global_step").asInt()).isEqualTo(3);

        // a second run into the same directory must say whether it continues or starts afresh
        r = run(base);
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("already holds checkpoint-6").contains("--resume").contains("--overwrite-output-dir");

        List<String> resumed = new ArrayList<>(List.of(base));
        resumed.add("--resume=" + out.resolve("checkpoint-3"));
        r = run(resumed.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(json(out.resolve("trainer_state.json")).get("global_step").asInt()).isEqualTo(6);
        // steps 4 to 6 again from checkpoint-3: the same model (within the vector kernels' last bits)
        float[] a = floats(uninterrupted), b = floats(Files.readAllBytes(out.resolve("model.safetensors")));
        assertThat(b.length).isEqualTo(a.length);
        for (int i = 0; i < a.length; i++) assertThat(b[i]).isCloseTo(a[i], within(1e-5f));

        List<String> other = new ArrayList<>(resumed);
        other.set(other.indexOf("--batch-size") + 1, "2");
        r = run(other.toArray(String[]::new));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("cannot resume from").contains("batch size 4, now 2");
    }

    /** A safetensors file's data area as floats (the header is skipped). */
    static float[] floats(byte[] file) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int header = (int) b.getLong(0);
        b.position(8 + header);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    /** A real process, SIGTERM while it trains: it writes a checkpoint before exiting, and --resume finishes the run. */
    @Test
    void sigtermWritesACheckpointFirst() throws Exception {
        Path train = sst("t.tsv", 40, 8);
        Path out = tmp.resolve("o");
        List<String> trainArgs = List.of("train", "--task", "text-classification", "--model", model("distilbert-seqcls"),
                "--train", train.toString(), "--output", out.toString(), "--epochs", "300", "--batch-size", "8",
                "--save-steps", "1000000", "--threads", "1", "--progress");
        List<String> cmd = CliProcess.command(List.of(), trainArgs.toArray(String[]::new));
        Path log = tmp.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(log) && Files.readString(log).contains("\rstep ")) && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);                             // until training has started
        }
        p.destroy();                                      // SIGTERM
        String err = "";
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        err = Files.readString(log);
        assertThat(p.exitValue()).as(err).isEqualTo(143);
        Path checkpoint = Files.list(out).filter(d -> d.getFileName().toString().startsWith("checkpoint-")).findFirst().orElseThrow();
        JsonNode state = json(checkpoint.resolve("trainer_state.json"));
        assertThat(state.get("global_step").asInt()).isPositive().isLessThan(1500);
        assertThat(checkpoint.resolve("optimizer.safetensors")).isRegularFile();
        assertThat(checkpoint.resolve("model.safetensors")).isRegularFile();

        List<String> resume = new ArrayList<>(trainArgs);
        resume.remove("--progress");
        resume.add("--resume");
        resume.add("--quiet");
        CliRun.Result r = run(resume.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(json(out.resolve("trainer_state.json")).get("global_step").asInt()).isEqualTo(1500);
    }
}
