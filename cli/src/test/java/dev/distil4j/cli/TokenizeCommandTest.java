package dev.distil4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distil4j tokenize}: JSON lines in, ids/tokens/offsets/type ids/attention mask out. */
class TokenizeCommandTest {
    @TempDir
    Path tmp;

    private static List<Integer> ints(JsonNode a) {
        List<Integer> r = new ArrayList<>();
        a.forEach(n -> r.add(n.asInt()));
        return r;
    }

    @Test
    void tokenizesWithTokenizerJson() {
        Path model = CliRun.shared("fixtures/vocab/distilbert-base-uncased");
        CliRun.Result r = CliRun.run("{\"text\": \"Hello world!\"}\n\n\"a \\ud83e\\udd16 b\"\n", "tokenize", "--model", model.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = r.lines();
        assertEquals(2, lines.size());
        JsonNode h = lines.get(0);
        assertEquals(List.of(101, 7592, 2088, 999, 102), ints(h.get("ids")));
        assertEquals("[\"[CLS]\",\"hello\",\"world\",\"!\",\"[SEP]\"]", h.get("tokens").toString());
        assertEquals("[[0,0],[0,5],[6,11],[11,12],[0,0]]", h.get("offsets").toString());
        assertEquals(List.of(0, 0, 0, 0, 0), ints(h.get("type_ids")));
        assertEquals(List.of(1, 1, 1, 1, 1), ints(h.get("attention_mask")));
        // UTF-16 offsets by default: the emoji spans two units
        assertEquals("[[0,0],[0,1],[2,4],[5,6],[0,0]]", lines.get(1).get("offsets").toString());
    }

    @Test
    void codePointOffsetsAndPairsAndTruncation() {
        Path model = CliRun.shared("fixtures/vocab/distilbert-base-uncased");
        CliRun.Result cp = CliRun.run("\"a \\ud83e\\udd16 b\"\n", "tokenize", "--model", model.toString(), "--offsets", "codepoints");
        assertEquals("[[0,0],[0,1],[2,3],[4,5],[0,0]]", cp.lines().get(0).get("offsets").toString());
        CliRun.Result p = CliRun.run("{\"text\": \"How old are you?\", \"text_pair\": \"I am six years old.\"}\n",
                "tokenize", "--model", model.toString(), "--pairs", "--max-length", "10");
        assertEquals(0, p.code(), p.err());
        JsonNode j = p.lines().get(0);
        assertEquals(List.of(101, 2129, 2214, 2024, 102, 1045, 2572, 2416, 2086, 102), ints(j.get("ids")));
        assertEquals(List.of(0, 0, 0, 0, 0, 1, 1, 1, 1, 1), ints(j.get("type_ids")));
    }

    @Test
    void legacyRobertaDirectory() {
        Path model = CliRun.shared("fixtures/models/roberta-mlm");
        CliRun.Result r = CliRun.run("{\"text\": \"<s>hello</s>\"}\n", "tokenize", "--model", model.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(0, 0, 261, 112, 274, 2, 2), ints(r.lines().get(0).get("ids")));
    }

    /** A bad record is reported with its line and answered by a placeholder; the others go on (as every pipeline command). */
    @Test
    void badRecordsAreReportedAndTheRestGoesOn() {
        String model = CliRun.shared("fixtures/vocab/distilbert-base-uncased").toString();
        CliRun.Result r = CliRun.run("{\"text\": \"ok\"}\n{not json\n\"hello\"\n", "tokenize", "--model", model);
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("distil4j tokenize: line 2: invalid JSON"), r.err());
        assertTrue(r.err().contains("1 of 3 records failed"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        List<JsonNode> lines = r.lines();
        assertEquals(List.of(101, 7929, 102), ints(lines.get(0).get("ids")));
        assertEquals(2, lines.get(1).get("line").asInt());
        assertEquals(List.of(101, 7592, 102), ints(lines.get(2).get("ids")));
        CliRun.Result noPair = CliRun.run("{\"text\": \"a\"}\n", "tokenize", "--model", model, "--pairs");
        assertEquals(2, noPair.code());
        assertTrue(noPair.err().contains("text_pair"), noPair.err());
        CliRun.Result noText = CliRun.run("{\"txt\": \"a\"}\n", "tokenize", "--model", model);
        assertEquals(2, noText.code());
        assertTrue(noText.err().contains("missing \"text\""), noText.err());
        CliRun.Result noDir = CliRun.run("", "tokenize", "--model", tmp.resolve("missing").toString());
        assertEquals(2, noDir.code());
        assertEquals(1, noDir.err().strip().lines().count(), noDir.err());
        assertTrue(noDir.err().contains("no such directory"), noDir.err());
    }

    /** TEXT arguments (and --text-pair), plain-text lines and CSV, as the other commands take them. */
    @Test
    void textArgumentsPlainLinesAndCsv() throws IOException {
        String model = CliRun.shared("fixtures/vocab/distilbert-base-uncased").toString();
        CliRun.Result args = CliRun.run("", "tokenize", "--model", model, "Hello world!", "I'm here");
        assertEquals(0, args.code(), args.err());
        assertEquals(List.of(101, 7592, 2088, 999, 102), ints(args.lines().get(0).get("ids")));
        assertEquals("[\"[CLS]\",\"i\",\"'\",\"m\",\"here\",\"[SEP]\"]", args.lines().get(1).get("tokens").toString());

        CliRun.Result pair = CliRun.run("", "tokenize", "--model", model, "How old are you?", "--text-pair", "I am six years old.",
                "--max-length", "10");
        assertEquals(0, pair.code(), pair.err());
        assertEquals(List.of(101, 2129, 2214, 2024, 102, 1045, 2572, 2416, 2086, 102), ints(pair.lines().get(0).get("ids")));

        // plain lines, a quote inside included: not JSON, each line is a text
        CliRun.Result lines = CliRun.run("Hello world!\nI'm \"here\"\n", "tokenize", "--model", model);
        assertEquals(0, lines.code(), lines.err());
        assertEquals(2, lines.lines().size());
        assertEquals(List.of(101, 7592, 2088, 999, 102), ints(lines.lines().get(0).get("ids")));
        assertEquals(List.of(0, 0, 0, 0, 0, 0, 0, 0), ints(lines.lines().get(1).get("type_ids")));

        Path csv = tmp.resolve("pairs.csv");
        Files.writeString(csv, "text,text_pair\n\"How old are you?\",I am six years old.\n");
        Path out = tmp.resolve("out.jsonl");
        CliRun.Result file = CliRun.run("", "tokenize", "--model", model, "--input", csv.toString(), "--pairs",
                "--max-length", "10", "--output", out.toString());
        assertEquals(0, file.code(), file.err());
        assertEquals(List.of(0, 0, 0, 0, 0, 1, 1, 1, 1, 1), ints(CliRun.MAPPER.readTree(Files.readString(out)).get("type_ids")));
    }

    /**
     * {@code --model} as every command reads it: an alias and a hub id from the Hugging Face cache
     * (HF_HUB_CACHE, offline), in a process of its own since they come from the environment.
     */
    @Test
    void aliasesAndHubIdsResolveAsForEveryCommand() throws IOException {
        Path hub = tmp.resolve("hub");
        snapshot(hub, "bert-base-uncased", CliRun.shared("real/bert-base-uncased"), "config.json", "vocab.txt", "tokenizer_config.json");
        snapshot(hub, "org/tiny-roberta", CliRun.shared("fixtures/models/roberta-mlm"), "config.json", "vocab.json", "merges.txt",
                "tokenizer_config.json", "special_tokens_map.json");
        Map<String, String> env = Map.of("HF_HUB_CACHE", hub.toString(), "HF_HUB_OFFLINE", "1", "DISTIL4J_CACHE", tmp.resolve("d4j").toString());
        CliProcess.Result alias = CliProcess.run(env, List.of(), false, "", "tokenize", "--model", "bert-base-uncased", "Hello world!");
        assertEquals(0, alias.code(), alias.err());
        assertEquals(List.of(101, 7592, 2088, 999, 102), ints(CliRun.MAPPER.readTree(alias.out()).get("ids")));
        assertTrue(alias.err().contains("bert-base-uncased -> " + hub), alias.err());
        CliProcess.Result id = CliProcess.run(env, List.of(), false, "<s>hello</s>\n", "tokenize", "--model", "org/tiny-roberta");
        assertEquals(0, id.code(), id.err());
        assertEquals(List.of(0, 0, 261, 112, 274, 2, 2), ints(CliRun.MAPPER.readTree(id.out()).get("ids")));
    }

    /** A hub cache snapshot as huggingface_hub leaves it: refs/main, and the files (a placeholder checkpoint: only tokenizers are read). */
    private static void snapshot(Path hub, String repo, Path from, String... files) throws IOException {
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path dir = hub.resolve("models--" + repo.replace("/", "--"));
        Path snap = Files.createDirectories(dir.resolve("snapshots/" + commit));
        Files.createDirectories(dir.resolve("refs"));
        Files.writeString(dir.resolve("refs/main"), commit);
        for (String f : files) Files.copy(from.resolve(f), snap.resolve(f));
        Files.write(snap.resolve("model.safetensors"), new byte[0]);
    }

    @Test
    void malformedTokenizerJsonIsReportedWithItsPosition() throws IOException {
        Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\",\n \"vocab\": {\"a\": }}}");
        CliRun.Result r = CliRun.run("\"a\"\n", "tokenize", "--model", tmp.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("tokenizer.json") && r.err().contains("line 2"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
