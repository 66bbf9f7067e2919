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

    @Test
    void badInputIsOneLineAndExitCode2() {
        String model = CliRun.shared("fixtures/vocab/distilbert-base-uncased").toString();
        CliRun.Result r = CliRun.run("{\"text\": \"ok\"}\n{not json\n", "tokenize", "--model", model);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("line 2"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        CliRun.Result noPair = CliRun.run("{\"text\": \"a\"}\n", "tokenize", "--model", model, "--pairs");
        assertEquals(2, noPair.code());
        assertTrue(noPair.err().contains("text_pair"), noPair.err());
        CliRun.Result noText = CliRun.run("{\"txt\": \"a\"}\n", "tokenize", "--model", model);
        assertEquals(2, noText.code());
        CliRun.Result noDir = CliRun.run("", "tokenize", "--model", tmp.resolve("missing").toString());
        assertEquals(2, noDir.code());
        assertEquals(1, noDir.err().strip().lines().count(), noDir.err());
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
