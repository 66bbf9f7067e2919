package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * JSON Lines records are read by core's JsonInput: nesting past Jackson's 1,000 levels and content
 * after the value are bad records with their line and column (they were a NullPointerException and
 * silently accepted), in every command, and in {@code forward}'s stdin.
 */
class JsonRecordsTest {
    private static String model(String name) {
        return CliRun.shared("fixtures/models/" + name).toString();
    }

    private static final String DEPTH = "JSON beyond the parser's limits: Document nesting depth (1001) exceeds the maximum allowed (1000)";
    private static final String TRAILING = "unexpected content after the JSON value";

    /** A bad JSON line and what its error says after "invalid JSON (column C): ". */
    private record Bad(String line, int column, String reason) {}

    private static final List<Bad> BAD = List.of(
            new Bad("[".repeat(1001) + "]".repeat(1001), 1002, DEPTH),
            new Bad("{\"a\":".repeat(5000) + "1" + "}".repeat(5000), 5002, DEPTH),
            new Bad("{\"text\": \"hi\", \"parameters\": " + "[{\"x\":".repeat(600) + "0" + "}]".repeat(600) + "}", 3026, DEPTH),
            new Bad("{\"text\": \"hi\"} garbage", 15, TRAILING),
            new Bad("{\"text\": \"hi\"}{\"text\": \"again\"}", 15, TRAILING),
            new Bad("\"hi\" \"there\"", 6, TRAILING),
            new Bad("{\"text\": \"hi\"},", 15, TRAILING),
            new Bad("{\"text\": \"hi\"}]", 15, TRAILING),
            new Bad("{\"text\": \"hi\"} // a comment", 15, TRAILING));

    /** In every command: the bad line answered by an error with its line and column, the good ones around it read. */
    @Test
    void deepAndTrailingJsonAreBadRecords() {
        record Command(String name, String model, String good) {}
        List<Command> commands = List.of(
                new Command("tokenize", "distilbert-seqcls", "{\"text\": \"hello world\"}"),
                new Command("classify", "distilbert-seqcls", "{\"text\": \"hello world\"}"),
                new Command("embed", "distilbert-mlm", "{\"text\": \"hello world\"}"),
                new Command("ner", "distilbert-tokcls", "{\"text\": \"Anna lives in Paris\"}"),
                new Command("qa", "distilbert-qa", "{\"question\": \"Who?\", \"context\": \"Anna lives in Paris.\"}"),
                new Command("fill-mask", "distilbert-mlm", "{\"text\": \"Paris is the [MASK] of France.\"}"));
        for (Command c : commands) {
            for (Bad bad : BAD) {
                String input = c.good() + "\n" + bad.line() + "\n" + c.good() + "\n";
                CliRun.Result r = CliRun.run(input, c.name(), "--model", model(c.model()), "--input-format", "jsonl");
                String what = c.name() + " " + bad.line().substring(0, Math.min(40, bad.line().length()));
                String error = "invalid JSON (column " + bad.column() + "): " + bad.reason();
                assertEquals(2, r.code(), what + ": " + r.err());
                assertEquals("distil4j " + c.name() + ": line 2: " + error + "\ndistil4j " + c.name() + ": 1 of 3 records failed\n", r.err(), what);
                List<JsonNode> out = r.lines();
                assertEquals(3, out.size(), what);
                assertEquals(error, out.get(1).get("error").asText(), what);
                assertEquals(2, out.get(1).get("line").asInt(), what);
                assertEquals(out.get(0), out.get(2), what);
                assertThat(out.get(0).has("error")).as(what).isFalse();
            }
        }
    }

    /** forward reads one JSON object from stdin: the same limits, located; empty stdin said as such. */
    @Test
    void forwardsStdinIsReadTheSameWay() {
        String m = model("distilbert-seqcls");
        record Case(String stdin, String err) {}
        List<Case> cases = List.of(
                new Case("{\"input_ids\": " + "[".repeat(1200) + "]".repeat(1200) + "}", "stdin is not valid JSON (line 1, column 1015): " + DEPTH),
                new Case("{\"input_ids\": [[3, 4]]}\n{\"input_ids\": [[3]]}", "stdin is not valid JSON (line 2, column 1): " + TRAILING),
                new Case("{\"input_ids\": [[3, 4]]} x", "stdin is not valid JSON (line 1, column 24): " + TRAILING),
                new Case(" \n ", "stdin is empty: expected one JSON object with \"input_ids\""),
                new Case("[[3, 4]]", "stdin must hold one JSON object with \"input_ids\""));
        for (Case c : cases) {
            CliRun.Result r = CliRun.run(c.stdin(), "forward", "--model", m);
            assertEquals(2, r.code(), r.err());
            assertEquals("distil4j forward: " + c.err() + "\n", r.err());
            assertEquals("", r.out());
        }
        CliRun.Result ok = CliRun.run("{\"input_ids\": [[3, 4]]}\n", "forward", "--model", m);
        assertEquals(0, ok.code(), ok.err());
    }
}
