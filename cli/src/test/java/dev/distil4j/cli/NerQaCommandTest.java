package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ner} and {@code qa} through the real command line (Main). */
class NerQaCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static String shared(String rel) {
        Path p = Path.of(System.getProperty("distil4j.shared", "../../shared")).resolve(rel);
        if (!Files.exists(p)) throw new IllegalStateException("reference data missing: " + p.toAbsolutePath());
        return p.toString();
    }

    static final String TOKCLS = shared("fixtures/models/distilbert-tokcls");
    static final String TOKCLS_FAST = shared("fixtures/goldens/distilbert-tokcls/tokenizer.json");
    static final String QA = shared("fixtures/models/distilbert-qa");
    static final String QA_FAST = shared("fixtures/goldens/distilbert-qa/tokenizer.json");

    record Result(int code, String out, String err) {
        List<JsonNode> lines() {
            List<JsonNode> r = new ArrayList<>();
            for (String l : out.strip().split("\n")) {
                try {
                    if (!l.isBlank()) r.add(JSON.readTree(l));
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + l, e);
                }
            }
            return r;
        }
    }

    static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                var in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
                if (cls == NerCommand.class) return cls.cast(new NerCommand(in, out));
                if (cls == QaCommand.class) return cls.cast(new QaCommand(in, out));
                return CommandLine.defaultFactory().create(cls);
            }
        }, args);
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    static JsonNode golden(String file) throws IOException {
        return JSON.readTree(Path.of(shared(file)).toFile());
    }

    /** HF JSON equal but for scores within 1e-5. */
    static void assertHfEqual(JsonNode got, JsonNode expected) {
        assertThat(got.isArray()).as("shape of %s", got).isEqualTo(expected.isArray());
        if (expected.isArray()) {
            assertThat(got.size()).as("size of %s", got).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) assertHfEqual(got.get(i), expected.get(i));
            return;
        }
        List<String> keys = new ArrayList<>();
        expected.fieldNames().forEachRemaining(keys::add);
        assertThat(got.fieldNames()).toIterable().containsExactlyElementsOf(keys);
        for (String k : keys) {
            if (k.equals("score")) {
                assertThat(got.get(k).asDouble()).isCloseTo(expected.get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
            } else {
                assertThat(got.get(k)).as(k).isEqualTo(expected.get(k));
            }
        }
    }

    @Test
    void nerArgumentsGiveTheGoldenResults() throws IOException {
        JsonNode texts = golden("fixtures/goldens/distilbert-tokcls/token_classification.json").get("texts");
        Result r = run("", "ner", "--model", TOKCLS, "--tokenizer", TOKCLS_FAST, "--aggregation", "average",
                texts.get(2).get("text").asText(), texts.get(4).get("text").asText());
        assertThat(r.code).as(r.err).isZero();
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(2);
        assertHfEqual(lines.get(0), expected(texts.get(2), "{\"aggregation_strategy\":\"average\"}"));
        assertHfEqual(lines.get(1), expected(texts.get(4), "{\"aggregation_strategy\":\"average\"}"));
    }

    static JsonNode expected(JsonNode text, String kwargs) throws IOException {
        JsonNode k = JSON.readTree(kwargs);
        for (JsonNode run : text.get("runs")) {
            if (run.get("source").asText().equals("pipeline/fast-emulated") && run.get("kwargs").equals(k)) return run.get("result");
        }
        throw new AssertionError("no golden run " + kwargs);
    }

    @Test
    void nerFileWithABadLineReportsItAndGoesOn() throws IOException {
        Path in = tmp.resolve("in.jsonl");
        Files.writeString(in, """
                {"text": "Anna wrote the letter to Paris."}
                {"text": oops}

                "Anna lived near Zurich."
                {"inputs": ["Anna", "Paris"], "parameters": {"aggregation_strategy": "simple", "ignore_labels": []}}
                {"title": "no text"}
                """);
        Result r = run("", "ner", "--model", TOKCLS, "--input", in.toString(), "--progress");
        assertThat(r.code).isEqualTo(2);
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(5);  // one line per record, the blank line is no record
        assertThat(lines.get(0).isArray()).isTrue();
        assertThat(lines.get(1).get("error").asText()).startsWith("invalid JSON");
        assertThat(lines.get(1).get("line").asInt()).isEqualTo(2);
        assertThat(lines.get(2).isArray()).isTrue();
        assertThat(lines.get(3).size()).isEqualTo(2);            // a list input gives a list per text
        assertThat(lines.get(3).get(0).get(0).has("entity_group")).isTrue();
        assertThat(lines.get(4).get("line").asInt()).isEqualTo(6);
        assertThat(r.err).contains("distil4j ner: line 2: invalid JSON").contains("distil4j ner: line 6: missing \"text\"")
                .contains("2 of 5 records failed");

        Result ff = run("", "ner", "--model", TOKCLS, "--input", in.toString(), "--fail-fast");
        assertThat(ff.code).isEqualTo(2);
        assertThat(ff.lines()).hasSize(2);
        assertThat(ff.err).contains("stopped at the first (--fail-fast)");
    }

    @Test
    void nerCsvAndPlainLinesOnStdin() throws IOException {
        Path csv = tmp.resolve("in.csv");
        Files.writeString(csv, "id,text\n1,\"Anna wrote the letter to Paris.\"\n2,\"Zurich, Paris\"\n");
        Result r = run("", "ner", "--model", TOKCLS, "-a", "first", "--ignore-labels", "", "--batch-size", "1", "-i", csv.toString());
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(1).get(0).get("entity_group")).isNotNull();

        Result lines = run("Anna wrote the letter to Paris.\n\nZurich\n", "ner", "--model", TOKCLS, "--ignore-labels", "");
        assertThat(lines.code).as(lines.err).isZero();
        assertThat(lines.lines()).hasSize(2);
        assertThat(lines.lines().get(1).get(0).get("word").asText()).isEqualTo("zurich");
    }

    @Test
    void nerRefusals() {
        Result bad = run("", "ner", "--model", TOKCLS, "-a", "mean", "Anna");
        assertThat(bad.code).isEqualTo(2);
        assertThat(bad.err.strip()).isEqualTo("distil4j ner: unknown aggregation strategy \"mean\"; use none, simple, first, average or max");

        Result stride = run("", "ner", "--model", TOKCLS, "--stride", "8", "Anna");
        assertThat(stride.code).isEqualTo(2);
        assertThat(stride.err).contains("argument 1: `stride` was provided").contains("aggregation_strategy=\"none\"");

        Result wrongHead = run("", "ner", "--model", QA, "Anna");
        assertThat(wrongHead.code).isEqualTo(2);
        assertThat(wrongHead.err).contains("token classification needs a token-classification model");

        Result noModel = run("", "ner", "--model", tmp.resolve("nope").toString(), "Anna");
        assertThat(noModel.code).isEqualTo(2);
    }

    @Test
    void qaArgumentsAboutOneContextGiveTheGoldenResults() throws IOException {
        JsonNode c = golden("fixtures/goldens/distilbert-qa/question_answering.json").get("cases").get(2);
        JsonNode expected = null;
        for (JsonNode run : c.get("runs")) {
            if (run.get("source").asText().equals("pipeline/fast-emulated") && run.get("kwargs").equals(JSON.readTree("{\"top_k\":3}"))) {
                expected = run.get("result");
            }
        }
        Result r = run("", "qa", "--model", QA, "--tokenizer", QA_FAST, "--context", c.get("context").asText(), "-k", "3",
                c.get("question").asText());
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.lines()).hasSize(1);
        assertHfEqual(r.lines().get(0), expected);
    }

    @Test
    void qaRecordsFromStdin() {
        String in = """
                {"question": "Where does the cat sleep?", "context": "The cat sleeps on the warm mat near the door."}
                {"question": "Who?", "context": ""}
                {"inputs": {"question": "Where?", "context": "The cat sleeps on the mat."}, "parameters": {"top_k": 2, "handle_impossible_answer": true}}
                {"inputs": [{"question": "Where?", "context": "On the mat."}], "parameters": {"max_answer_len": 1}}
                {"question": "No context?"}
                """;
        Result r = run(in, "qa", "--model", QA);
        assertThat(r.code).isEqualTo(2);
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0).get("answer").asText()).isNotEmpty();
        assertThat(lines.get(1).get("error").asText()).isEqualTo("`context` cannot be empty");
        assertThat(lines.get(2).isArray()).isTrue();
        assertThat(lines.get(2).size()).isEqualTo(2);
        assertThat(lines.get(3).isObject()).isTrue();  // a list of one unwraps, as in transformers
        assertThat(lines.get(4).get("error").asText()).contains("no context");
        assertThat(r.err).contains("distil4j qa: line 2: `context` cannot be empty").contains("distil4j qa: line 5:");

        // plain lines are questions about --context
        Result plain = run("Where does the cat sleep?\nWhat is warm?\n", "qa", "--model", QA, "--context",
                "The cat sleeps on the warm mat near the door.", "--input-format", "lines");
        assertThat(plain.code).as(plain.err).isZero();
        assertThat(plain.lines()).hasSize(2);
    }

    @Test
    void qaRefusals() {
        Result noContext = run("", "qa", "--model", QA, "Where?");
        assertThat(noContext.code).isEqualTo(2);
        assertThat(noContext.err).contains("need --context");

        Result topK = run("", "qa", "--model", QA, "--context", "The cat sleeps.", "-k", "0", "Where?");
        assertThat(topK.code).isEqualTo(2);
        assertThat(topK.err.strip()).isEqualTo("distil4j qa: top_k parameter should be >= 1 (got 0)");

        String longContext = "The cat sleeps on the warm mat near the door. ".repeat(10);
        Result stride = run("", "qa", "--model", QA, "--context", longContext, "--max-seq-len", "24", "--doc-stride", "12",
                "Where does the old cat sleep every night?");
        assertThat(stride.code).isEqualTo(2);
        assertThat(stride.err).contains("doc_stride 12 must be less than the");

        Result wrongHead = run("", "qa", "--model", TOKCLS, "--context", "x", "Where?");
        assertThat(wrongHead.code).isEqualTo(2);
        assertThat(wrongHead.err).contains("question-answering model");
    }
}
