package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** fill-mask, classify and embed through the command line: golden parity, input formats, bad records, exit codes. */
class PipelineCommandsTest {
    static String model(String name) {
        return CliRun.shared("fixtures/models/" + name).toString();
    }

    /** Every golden run as an Inference API record {"inputs", "parameters"}; the output lines must equal the results. */
    @Test
    void fillMaskGoldensThroughTheCli() {
        for (String m : new String[] {"distilbert-mlm", "roberta-mlm"}) {
            for (String file : new String[] {"fill_mask.json", "fill_mask_extra.json"}) {
                JsonNode runs = CliRun.json("fixtures/goldens/" + m + "/" + file);
                StringBuilder in = new StringBuilder();
                for (JsonNode r : runs) {
                    ObjectNode rec = CliRun.MAPPER.createObjectNode();
                    rec.set("inputs", r.get("input"));
                    ObjectNode p = rec.putObject("parameters");
                    if (r.has("kwargs")) p.setAll((ObjectNode) r.get("kwargs"));
                    if (r.has("top_k")) p.set("top_k", r.get("top_k"));
                    in.append(rec).append('\n');
                }
                CliRun.Result res = CliRun.run(in.toString(), "fill-mask", "--model", model(m), "--batch-size", "3");
                assertThat(res.code()).as(res.err()).isZero();
                List<JsonNode> lines = res.lines();
                assertThat(lines).hasSize(runs.size());
                for (int i = 0; i < runs.size(); i++) {
                    assertThat(CliRun.diff(runs.get(i).get("result"), lines.get(i), 1e-5)).as("%s %s #%d", m, file, i).isEmpty();
                }
            }
        }
    }

    @Test
    void classifyGoldensThroughTheCli() {
        for (String m : new String[] {"distilbert-seqcls", "roberta-seqcls"}) {
            JsonNode runs = CliRun.json("fixtures/goldens/" + m + "/text_classification_extra.json").get("runs");
            StringBuilder in = new StringBuilder();
            for (JsonNode r : runs) {
                ObjectNode rec = CliRun.MAPPER.createObjectNode();
                rec.set("inputs", r.get("inputs"));
                rec.set("parameters", r.get("kwargs"));
                in.append(rec).append('\n');
            }
            JsonNode basic = CliRun.json("fixtures/goldens/" + m + "/text_classification.json");
            for (JsonNode r : basic) in.append(CliRun.MAPPER.createObjectNode().put("text", r.get("input").asText())).append('\n');
            CliRun.Result res = CliRun.run(in.toString(), "classify", "--model", model(m), "--batch-size", "4");
            assertThat(res.code()).as(res.err()).isZero();
            List<JsonNode> lines = res.lines();
            assertThat(lines).hasSize(runs.size() + basic.size());
            for (int i = 0; i < runs.size(); i++) {
                assertThat(CliRun.diff(runs.get(i).get("result"), lines.get(i), 1e-5)).as("%s #%d %s", m, i, runs.get(i).get("kwargs")).isEmpty();
            }
            for (int i = 0; i < basic.size(); i++) {
                assertThat(CliRun.diff(basic.get(i).get("result"), lines.get(runs.size() + i), 1e-5)).as("%s basic #%d", m, i).isEmpty();
            }
        }
    }

    @Test
    void classifyArgumentsPairsAndTopK() {
        CliRun.Result r = CliRun.run("", "classify", "--model", model("roberta-seqcls"), "How old are you?", "--text-pair", "I am six years old.");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.lines().get(0).get("label").asText()).isEqualTo("entailment");
        CliRun.Result all = CliRun.run("", "classify", "--model", model("roberta-seqcls"), "--top-k", "all", "I love this movie!");
        assertThat(all.lines().get(0)).hasSize(3);
        assertThat(all.lines().get(0).get(0).get("label").asText()).isEqualTo("neutral");
        CliRun.Result bad = CliRun.run("", "classify", "--model", model("roberta-seqcls"), "--function", "relu", "x");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("softmax, sigmoid or none");
    }

    @Test
    void fillMaskArgumentsAndOptions() {
        CliRun.Result r = CliRun.run("", "fill-mask", "--model", model("distilbert-mlm"), "--top-k", "2",
                "The capital of France is [MASK].", "Paris is the [MASK] of [MASK].");
        assertThat(r.code()).as(r.err()).isZero();
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).hasSize(2);
        assertThat(lines.get(0).get(0).get("token_str").asText()).isEqualTo("[UNK]");
        assertThat(lines.get(1)).hasSize(2);
        assertThat(lines.get(1).get(0)).hasSize(2); // two masks: a list of lists
        CliRun.Result t = CliRun.run("", "fill-mask", "--model", model("distilbert-mlm"), "--target", "paris", "--target", "london",
                "The capital of France is [MASK].");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.err()).contains("warning: The specified target token `london` does not exist in the model vocabulary. Replacing with `l`.");
        assertThat(t.lines().get(0)).hasSize(2);
    }

    @Test
    void badRecordsAreReportedWithLineNumbersAndTheRestGoesOn(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("in.jsonl");
        Files.writeString(file, """
                {"text": "The capital of France is [MASK]."}
                {"text": "no mask here"}

                {"text": "Paris is the [MASK] of
                "[MASK] loved to visit him."
                {"txt": "x"}
                """);
        CliRun.Result r = CliRun.run("", "fill-mask", "--model", model("distilbert-mlm"), "--input", file.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("distil4j fill-mask: line 2: no mask token ([MASK]) found in the input")
                .contains("distil4j fill-mask: line 4: invalid JSON")
                .contains("distil4j fill-mask: line 6: missing \"text\" (fields: txt)")
                .contains("3 of 5 records failed");
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0).isArray()).isTrue();
        assertThat(lines.get(1).get("line").asInt()).isEqualTo(2);
        assertThat(lines.get(1).get("error").asText()).contains("no mask token");
        assertThat(lines.get(2).get("line").asInt()).isEqualTo(4);
        assertThat(lines.get(3).isArray()).isTrue();
        assertThat(lines.get(4).get("line").asInt()).isEqualTo(6);

        CliRun.Result ff = CliRun.run("", "fill-mask", "--model", model("distilbert-mlm"), "--input", file.toString(), "--fail-fast");
        assertThat(ff.code()).isEqualTo(2);
        assertThat(ff.lines()).hasSize(2);
        assertThat(ff.err()).contains("line 2: no mask token").doesNotContain("line 4").contains("--fail-fast");
    }

    @Test
    void csvAndPlainLines(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("in.csv");
        Files.writeString(csv, "id,text,text_pair\n1,\"How old are you?\",\"I am six years old.\"\n2,\"A \"\"quoted\"\",\nmulti-line text\",\n3,too,many,fields\n");
        CliRun.Result r = CliRun.run("", "classify", "--model", model("distilbert-seqcls"), "--input", csv.toString(), "--top-k", "1");
        assertThat(r.code()).isEqualTo(2);
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).get(0).get("label").asText()).isEqualTo("POSITIVE");
        assertThat(lines.get(1).isArray()).isTrue();
        assertThat(r.err()).contains("line 5: expected 3 CSV fields (id, text, text_pair), got 4");

        CliRun.Result plain = CliRun.run("The capital of France is [MASK].\n\n[MASK] loved to visit him.\n", "fill-mask", "--model", model("distilbert-mlm"));
        assertThat(plain.code()).as(plain.err()).isZero();
        assertThat(plain.lines()).hasSize(2);
    }

    @Test
    void usageErrorsAreExitCode2() {
        CliRun.Result missing = CliRun.run("", "fill-mask", "--model", "/no/such/model", "a [MASK]");
        assertThat(missing.code()).isEqualTo(2);
        CliRun.Result wrongHead = CliRun.run("", "fill-mask", "--model", model("distilbert-seqcls"), "a [MASK]");
        assertThat(wrongHead.code()).isEqualTo(2);
        assertThat(wrongHead.err()).contains("masked-language-model head");
        CliRun.Result noFile = CliRun.run("", "embed", "--model", model("distilbert-mlm"), "--input", "/no/such/file.txt");
        assertThat(noFile.code()).isEqualTo(2);
        assertThat(noFile.err()).contains("/no/such/file.txt");
        CliRun.Result badK = CliRun.run("", "fill-mask", "--model", model("distilbert-mlm"), "--top-k", "0", "a [MASK]");
        assertThat(badK.code()).isEqualTo(2);
        assertThat(badK.err()).contains("top_k must be at least 1");
    }

    @Test
    void embedLevelsAndNpy(@TempDir Path dir) throws IOException {
        String m = model("distilbert-mlm");
        CliRun.Result s = CliRun.run("", "embed", "--model", m, "Hello world!", "The quick brown fox.");
        assertThat(s.code()).as(s.err()).isZero();
        assertThat(s.lines()).hasSize(2);
        assertThat(s.lines().get(0).get("embedding")).hasSize(32);

        CliRun.Result w = CliRun.run("{\"text\": \"Paris, the wonderful city\", \"words\": [\"Paris,\", \"the\", \"wonderful\", \"city\"]}\n",
                "embed", "--model", m, "--level", "word", "--word-pooling", "mean");
        assertThat(w.code()).as(w.err()).isZero();
        JsonNode words = w.lines().get(0).get("words");
        assertThat(words).hasSize(4);
        assertThat(words.get(2).get("word").asText()).isEqualTo("wonderful");
        assertThat(words.get(2).get("begin").asInt()).isEqualTo(11);
        assertThat(words.get(2).get("end").asInt()).isEqualTo(20);
        assertThat(words.get(2).get("end_inclusive").asInt()).isEqualTo(19);
        assertThat(words.get(2).get("pieces").asInt()).isEqualTo(4);

        CliRun.Result doc = CliRun.run("", "embed", "--model", m, "--level", "word", "--split-sentences", "Dr. Smith came. He left!");
        JsonNode d = doc.lines().get(0);
        assertThat(d.get("sentences")).hasSize(2);
        assertThat(d.get("words").get(d.get("words").size() - 1).get("sentence").asInt()).isEqualTo(1);

        Path npy = dir.resolve("out/vectors.npy");
        CliRun.Result t = CliRun.run("", "embed", "--model", m, "--level", "token", "--output", npy.toString(), "Hello world!", "Hi");
        assertThat(t.code()).as(t.err()).isZero();
        List<JsonNode> lines = t.lines();
        assertThat(lines.get(0).get("tokens")).hasSize(5);
        assertThat(lines.get(1).get("tokens").get(0).get("row").asInt()).isEqualTo(5);
        assertThat(lines.get(0).get("tokens").get(0).has("embedding")).isFalse();
        byte[] b = Files.readAllBytes(npy);
        assertThat(new String(b, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        int hlen = ByteBuffer.wrap(b, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        String header = new String(b, 10, hlen, StandardCharsets.US_ASCII);
        int rows = lines.get(0).get("tokens").size() + lines.get(1).get("tokens").size();
        assertThat(header).contains("'shape': (" + rows + ", 32)").contains("'descr': '<f4'");
        assertThat((10 + hlen) % 64).isZero();
        assertThat(b.length).isEqualTo(10 + hlen + rows * 32 * 4);
        // the .npy rows are the JSON vectors (up to padding noise: this run is unbatched)
        CliRun.Result j = CliRun.run("", "embed", "--model", m, "--level", "token", "Hello world!");
        JsonNode v = j.lines().get(0).get("tokens").get(1).get("embedding");
        ByteBuffer data = ByteBuffer.wrap(b, 10 + hlen + 32 * 4, 32 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 32; i++) assertThat(data.getFloat()).isCloseTo(v.get(i).floatValue(), org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void embedLongInputs() {
        String text = "Once upon a time, in a small village near the mountains, there lived an old clockmaker. ".repeat(4);
        CliRun.Result t = CliRun.run("", "embed", "--model", model("distilbert-mlm"), "--level", "word", text);
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.err()).contains("warning: 1 input was longer than 64 tokens and truncated");
        CliRun.Result w = CliRun.run("", "embed", "--model", model("distilbert-mlm"), "--level", "word", "--long-inputs", "window", text);
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(w.err()).doesNotContain("truncated");
        List<JsonNode> words = new ArrayList<>();
        w.lines().get(0).get("words").forEach(words::add);
        assertThat(words).allMatch(x -> x.get("pieces").asInt() > 0);
    }

    @Test
    void sentenceTransformersModel() {
        CliRun.Result r = CliRun.run("", "embed", "--model", CliRun.shared("real/all-MiniLM-L6-v2").toString(), "A man is eating food.");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode v = r.lines().get(0).get("embedding");
        assertThat(v).hasSize(384);
        double norm = 0;
        for (JsonNode x : v) norm += x.asDouble() * x.asDouble();
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
}
