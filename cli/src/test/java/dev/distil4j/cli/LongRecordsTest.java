package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Lines of any length are read (the format is sniffed from the first line read, with no read-ahead
 * limit), but no record may take more than {@code --max-record-size}: a longer one is a bad record
 * named by its line, read past without being kept, and memory stays bounded.
 */
class LongRecordsTest {
    private static final String SEQCLS = CliRun.shared("fixtures/models/distilbert-seqcls").toString();

    @TempDir
    Path tmp;

    /** {@code n} bytes of words. */
    private static String words(int n) {
        StringBuilder b = new StringBuilder(n + 16);
        String[] w = {"hello", "world", "this", "is", "a", "long", "line"};
        for (int i = 0; b.length() < n; i++) b.append(w[i % w.length]).append(' ');
        return b.substring(0, n);
    }

    /** First lines past the old 32/64 KB read-ahead, sniffed (stdin, a file without a known extension), as plain text and JSON. */
    @Test
    void longFirstLinesAreRead() throws IOException {
        JsonNode second = CliRun.run("", "classify", "--model", SEQCLS, "second line").lines().get(0);
        for (int size : new int[] {70_000, 300_000, 1_100_000}) {
            String text = words(size);
            JsonNode expected = CliRun.run("", "classify", "--model", SEQCLS, "--truncation", text).lines().get(0);
            for (String first : List.of(text, "{\"text\": \"" + text + "\"}", "\"" + text + "\"")) {
                String input = "\n  \n" + first + (first.startsWith("h") ? "\nsecond line\n" : "\n\"second line\"\n");
                CliRun.Result s = CliRun.run(input, "classify", "--model", SEQCLS, "--truncation");
                Path f = Files.writeString(tmp.resolve("in.data"), input);
                CliRun.Result fromFile = CliRun.run("", "classify", "--model", SEQCLS, "--truncation", "--input", f.toString());
                for (CliRun.Result r : List.of(s, fromFile)) {
                    String what = size + " " + first.charAt(0);
                    assertEquals(0, r.code(), what + ": " + r.err());
                    assertEquals(List.of(expected, second), r.lines(), what);
                }
            }
            CliRun.Result t = CliRun.run(text + "\n", "tokenize", "--model", SEQCLS, "--max-length", "8");
            assertEquals(0, t.code(), t.err());
            assertEquals(8, t.lines().get(0).get("ids").size());
        }
    }

    /** At the limit a record is read; one byte more and it is a bad record with its line, the others go on. */
    @Test
    void aRecordOverTheLimitIsABadRecord() {
        int limit = 1024;
        String atLimit = words(limit);
        String over = words(limit + 1);
        record Case(String format, String input, int badLine, String badError) {}
        List<Case> cases = List.of(
                new Case("lines", "short\n" + atLimit + "\n" + over + "\nlast\n", 3,
                        "longer than 1 KiB (1.0 KiB), the limit for one record (--max-record-size)"),
                new Case("lines", "short\r\n" + atLimit + "\r\n" + words(50_000) + "\r\nlast\r\n", 3,
                        "longer than 1 KiB (48.8 KiB), the limit for one record (--max-record-size)"),
                new Case("jsonl", "\"short\"\n\"" + words(limit - 2) + "\"\n{\"text\": \"" + over + "\"}\n\"last\"\n", 3,
                        "longer than 1 KiB (1.0 KiB), the limit for one record (--max-record-size)"),
                new Case("auto", "\"" + words(5_000_000) + "\"\n\"short\"\n\"" + words(limit - 2) + "\"\n\"last\"\n", 1,
                        "longer than 1 KiB (4.8 MiB), the limit for one record (--max-record-size)"),
                // a CSV record is its lines together: three short lines over the limit, quoted line breaks included
                new Case("csv", "text\nshort\n\"" + words(400) + "\n" + words(400) + "\n" + words(400) + "\"\n" + atLimit.substring(0, 900)
                        + "\nlast\n", 3, "longer than 1 KiB, the limit for one record (--max-record-size)"));
        JsonNode last = CliRun.run("", "tokenize", "--model", SEQCLS, "last").lines().get(0);
        for (Case c : cases) {
            CliRun.Result r = CliRun.run(c.input(), "tokenize", "--model", SEQCLS, "--input-format", c.format(), "--max-record-size", "1K");
            String what = c.format() + " " + c.input().length();
            assertEquals(2, r.code(), what + ": " + r.err());
            assertThat(r.err()).as(what).isEqualTo("distil4j tokenize: line " + c.badLine() + ": " + c.badError() + "\n"
                    + "distil4j tokenize: 1 of 4 records failed\n");
            List<JsonNode> out = r.lines();
            assertEquals(4, out.size(), what);
            int bad = c.badLine() == 1 ? 0 : c.format().equals("csv") ? 1 : 2; // its place among the four records
            assertEquals(c.badError(), out.get(bad).get("error").asText(), what);
            assertEquals(c.badLine(), out.get(bad).get("line").asInt(), what);
            for (int i = 0; i < 4; i++) if (i != bad) assertThat(out.get(i).has("ids")).as(what + " " + i).isTrue();
            assertEquals(last, out.get(3), what);
        }
        // a CSV line over the limit: where its row ends is lost, so the reading stops there
        CliRun.Result csv = CliRun.run("text\nshort\n" + over + "\nlast\n", "tokenize", "--model", SEQCLS, "--input-format", "csv",
                "--max-record-size", "1K");
        assertEquals(2, csv.code());
        assertThat(csv.err()).isEqualTo("distil4j tokenize: stdin line 3: longer than 1 KiB (1.0 KiB), the limit for one record "
                + "(--max-record-size); a CSV file cannot be read past it\n");
    }

    /** --max-record-size takes sizes with units, up to 1G; anything else is one line naming the option. */
    @Test
    void maxRecordSizeIsASize() {
        for (String ok : List.of("16M", "512k", "1G", "100000", "2KiB", "3 MB")) {
            CliRun.Result r = CliRun.run("hello\n", "tokenize", "--model", SEQCLS, "--max-record-size", ok);
            assertEquals(0, r.code(), ok + ": " + r.err());
        }
        for (String bad : List.of("0", "2G", "-5", "abc", "1.5M", "")) {
            CliRun.Result r = CliRun.run("hello\n", "tokenize", "--model", SEQCLS, "--max-record-size", bad);
            assertEquals(2, r.code(), bad);
            assertThat(r.err()).as(bad).startsWith("distil4j tokenize: --max-record-size must be ").endsWith("\n")
                    .satisfies(e -> assertEquals(1, e.lines().count()));
        }
    }

    /**
     * Memory: an 80 MB line through a JVM of 48 MB heap is a bad record, not an OutOfMemoryError; and a
     * record under a raised limit that does not fit the heap is one line saying so, exit 1, no stack trace.
     */
    @Test
    void oneHugeLineCostsBoundedMemory() throws IOException {
        Path in = tmp.resolve("huge.txt");
        byte[] chunk = (words((1 << 20) - 1) + " ").getBytes(StandardCharsets.UTF_8); // 1 MiB
        try (OutputStream o = Files.newOutputStream(in)) {
            o.write("first line\n".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 80; i++) o.write(chunk);
            o.write("\nlast line\n".getBytes(StandardCharsets.UTF_8));
        }
        CliProcess.Result r = CliProcess.run(Map.of(), List.of("-Xmx48m"), false, "", "classify", "--model", SEQCLS, "--truncation",
                "--input", in.toString());
        assertEquals(2, r.code(), r.err());
        assertThat(r.err()).contains("distil4j classify: line 2: longer than 16 MiB (80 MiB), the limit for one record (--max-record-size)")
                .contains("1 of 3 records failed").doesNotContain("OutOfMemoryError");
        List<String> out = r.out().lines().toList();
        assertEquals(3, out.size());
        assertThat(out.get(0)).startsWith("[{\"label\":");
        assertThat(out.get(1)).startsWith("{\"error\":\"longer than 16 MiB");
        assertThat(out.get(2)).startsWith("[{\"label\":");

        CliProcess.Result oom = CliProcess.run(Map.of(), List.of("-Xmx48m"), false, "", "classify", "--model", SEQCLS, "--truncation",
                "--input", in.toString(), "--max-record-size", "1G");
        assertEquals(1, oom.code(), oom.err());
        assertThat(oom.err().replace("WARNING: Using incubator modules: jdk.incubator.vector\n", ""))
                .isEqualTo("distil4j classify: out of memory (Java heap of 48 MiB): give the JVM more (DISTIL4J_JAVA_OPTS=-Xmx8g), "
                        + "or smaller inputs (--max-record-size, --batch-size)\n");
    }
}
