package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Input that is not UTF-8 text: a bad record named by its line (never a silent U+FFFD), U+FFFD only
 * when asked ({@code --encoding-errors replace}), UTF-16 and UTF-32 refused by their byte order mark,
 * and {@code qa --context-file} saying which file is not text.
 */
class InputTextTest {
    private static final String SEQCLS = CliRun.shared("fixtures/models/distilbert-seqcls").toString();
    private static final String QA = CliRun.shared("fixtures/models/distilbert-qa").toString();
    private static final String REPLACE_HINT = "; convert it to UTF-8, or give --encoding-errors replace to read such bytes as U+FFFD";

    private static final JsonNode FIRST = CliRun.run("", "tokenize", "--model", SEQCLS, "first line").lines().get(0);
    private static final JsonNode LAST = CliRun.run("", "tokenize", "--model", SEQCLS, "last line").lines().get(0);

    @TempDir
    Path tmp;

    /**
     * A malformed line and what --encoding-errors replace reads; its error is {@code what} at byte
     * {@code at} (1-based, in the line as given; a JSON line puts {@code {"text": "} before it), then {@code hint}.
     */
    private record Bad(byte[] bytes, String what, int at, String hint, String replaced) {
        String error(int shift) {
            return what + " at byte " + (at + shift) + " of the line" + hint;
        }
    }

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (byte) v[i];
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String NUL_HINT = " (binary data, or UTF-16 without a byte order mark?); convert it to UTF-8";
    private static final List<Bad> BAD = List.of(
            new Bad(concat(ascii("caf"), b(0xE9), ascii(" au lait")), "byte 0xE9", 4, REPLACE_HINT, "caf\uFFFD au lait"),
            new Bad(concat(b(0x80), ascii("abc")), "byte 0x80", 1, REPLACE_HINT, "\uFFFDabc"),
            new Bad(concat(ascii("euro "), b(0xE2, 0x82)), "byte 0xE2", 6, REPLACE_HINT, "euro \uFFFD"),
            new Bad(concat(ascii("x"), b(0xC0, 0xAF)), "byte 0xC0", 2, REPLACE_HINT, "x\uFFFD\uFFFD"),
            new Bad(concat(b(0xED, 0xA0, 0x80), ascii("z")), "byte 0xED", 1, REPLACE_HINT, "\uFFFD\uFFFD\uFFFDz"),
            new Bad(concat(ascii("big "), b(0xF4, 0x90, 0x80, 0x80)), "byte 0xF4", 5, REPLACE_HINT, "big \uFFFD\uFFFD\uFFFD\uFFFD"),
            new Bad(concat(ascii("a"), b(0), ascii("b")), "a NUL byte", 2, NUL_HINT, "a\0b"),
            new Bad(concat(ascii("a"), b(0), ascii("b"), b(0xFF)), "a NUL byte", 2, NUL_HINT, "a\0b\uFFFD"),
            new Bad(concat(ascii("a"), b(0xFF), ascii("b"), b(0)), "byte 0xFF", 2, REPLACE_HINT, "a\uFFFDb\0"));

    /**
     * Good lines with a bad one between them, in each format and with each line ending: the bad one is
     * reported with its line, answered by an error line, and the others are read as they are.
     */
    @Test
    void malformedBytesAreABadRecordWithItsLine() {
        for (Bad bad : BAD) {
            for (String eol : List.of("\n", "\r\n")) {
                byte[] lines = concat(ascii("first line" + eol + eol), bad.bytes(), ascii(eol + "last line" + eol));
                byte[] jsonl = concat(ascii("{\"text\": \"first line\"}" + eol + eol + "{\"text\": \""), bad.bytes(),
                        ascii("\"}" + eol + "\"last line\"" + eol));
                byte[] csv = concat(ascii("text" + eol + "first line" + eol + eol), bad.bytes(), ascii(eol + "last line" + eol));
                for (byte[][] input : new byte[][][] {{lines, ascii("lines")}, {jsonl, ascii("jsonl")}, {csv, ascii("csv")}}) {
                    String format = new String(input[1], StandardCharsets.UTF_8);
                    int badLine = format.equals("csv") ? 4 : 3;
                    CliRun.Result r = CliRun.run(input[0], "tokenize", "--model", SEQCLS, "--input-format", format);
                    String error = bad.error(format.equals("jsonl") ? "{\"text\": \"".length() : 0);
                    String what = format + " " + error + " " + eol.length();
                    assertEquals(2, r.code(), what + ": " + r.err());
                    assertThat(r.err()).as(what).isEqualTo("distil4j tokenize: line " + badLine + ": not UTF-8 text: " + error + "\n"
                            + "distil4j tokenize: 1 of 3 records failed\n");
                    List<JsonNode> out = r.lines();
                    assertEquals(3, out.size(), what);
                    assertEquals(FIRST, out.get(0), what);
                    assertEquals(badLine, out.get(1).get("line").asInt(), what);
                    assertEquals("not UTF-8 text: " + error, out.get(1).get("error").asText(), what);
                    assertEquals(LAST, out.get(2), what);
                }
            }
        }
    }

    /** Valid UTF-8 of every length (1 to 4 bytes, the edges of each range) reads as it is, in both modes. */
    @Test
    void validTextIsReadAsItIs() {
        List<String> texts = List.of("plain ascii", "Zürich café", "\u07FF\u0800 日本語 \uD7FF\uE000\uFFFD\uFFFF",
                "emoji \uD83D\uDE00 and \uD800\uDC00 and \uDBFF\uDFFF", "\u0080");
        for (Utf8Text.Mode mode : Utf8Text.Mode.values()) {
            for (String t : texts) {
                byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
                Utf8Text.Decoded d = new Utf8Text(mode).decode(bytes, 0, bytes.length, i -> "at " + i);
                assertEquals(t, d.text(), mode + " " + t);
                assertThat(d.problem()).isNull();
            }
        }
    }

    /** --encoding-errors replace reads the same bytes as U+FFFD (Python's errors="replace"), with no error. */
    @Test
    void replaceReadsBadBytesAsReplacementCharacters() {
        InputRecords.Reading replace = new InputRecords.Reading(InputRecords.Format.AUTO, Utf8Text.Mode.REPLACE,
                InputRecords.Reading.DEFAULT_MAX_RECORD_BYTES);
        for (Bad bad : BAD) {
            List<InputRecords.Record> rs = new ArrayList<>();
            try (InputRecords in = InputRecords.open(null, new ByteArrayInputStream(concat(bad.bytes(), ascii("\nnext\n"))), replace)) {
                in.forEachRemaining(rs::add);
            }
            assertEquals(2, rs.size());
            assertThat(rs.get(0).error()).isNull();
            assertEquals(bad.replaced(), rs.get(0).text("text"));
            assertEquals("next", rs.get(1).text("text"));
            CliRun.Result r = CliRun.run(concat(bad.bytes(), ascii("\n")), "tokenize", "--model", SEQCLS, "--encoding-errors", "replace");
            assertEquals(0, r.code(), r.err());
            assertEquals("", r.err());
        }
        CliRun.Result wrong = CliRun.run("x\n", "tokenize", "--model", SEQCLS, "--encoding-errors", "ignore");
        assertEquals(2, wrong.code());
        assertEquals("distil4j tokenize: --encoding-errors must be strict or replace, not \"ignore\"\n", wrong.err());
    }

    /** UTF-16 and UTF-32 with a byte order mark: one clear error, in every format, from a file or stdin, strict or not. */
    @Test
    void utf16IsRefusedByItsByteOrderMark() throws IOException {
        String text = "hello world\nsecond line\n";
        record Enc(String name, byte[] bytes, String says) {}
        List<Enc> encodings = List.of(
                new Enc("UTF-16LE", concat(b(0xFF, 0xFE), text.getBytes(StandardCharsets.UTF_16LE)), "UTF-16"),
                new Enc("UTF-16BE", concat(b(0xFE, 0xFF), text.getBytes(StandardCharsets.UTF_16BE)), "UTF-16"),
                new Enc("UTF-32LE", concat(b(0xFF, 0xFE, 0, 0), text.getBytes("UTF-32LE")), "UTF-32"),
                new Enc("UTF-32BE", concat(b(0, 0, 0xFE, 0xFF), text.getBytes("UTF-32BE")), "UTF-32"));
        for (Enc e : encodings) {
            Path file = Files.write(tmp.resolve(e.name() + ".txt"), e.bytes());
            for (String format : List.of("auto", "lines", "jsonl", "csv")) {
                for (String errors : List.of("strict", "replace")) {
                    CliRun.Result f = CliRun.run("", "tokenize", "--model", SEQCLS, "--input", file.toString(), "--input-format", format,
                            "--encoding-errors", errors);
                    assertEquals(2, f.code(), e.name() + " " + format);
                    assertEquals("distil4j tokenize: " + file + " is " + e.says() + " (it starts with a " + e.says() + " byte order mark): "
                            + "convert it to UTF-8, e.g. iconv -f " + e.says() + " -t UTF-8\n", f.err(), e.name() + " " + format);
                    assertEquals("", f.out());
                }
            }
            CliRun.Result s = CliRun.run(e.bytes(), "classify", "--model", SEQCLS);
            assertEquals(2, s.code());
            assertThat(s.err()).startsWith("distil4j classify: stdin is " + e.says() + " (it starts with");
        }
        // without a byte order mark UTF-16 is text with NUL bytes: every line a bad record, none read as text
        CliRun.Result noBom = CliRun.run(text.getBytes(StandardCharsets.UTF_16LE), "tokenize", "--model", SEQCLS);
        assertEquals(2, noBom.code());
        for (JsonNode line : noBom.lines()) assertThat(line.get("error").asText()).contains("a NUL byte").contains("UTF-16");
        assertThat(noBom.err()).contains("3 of 3 records failed");
    }

    /** qa --context-file: a file that is not UTF-8 text is named, with where it stops being text; never "Input length = 1". */
    @Test
    void aContextFileThatIsNotTextIsNamed() throws IOException {
        byte[] binary = new byte[4096];
        new Random(7).nextBytes(binary);
        System.arraycopy(b('P', 'K', 3, 4, 0, 0), 0, binary, 0, 6); // a zip's local file header: version 0.0
        Path zip = Files.write(tmp.resolve("archive.zip"), binary);
        Path latin1 = Files.write(tmp.resolve("latin1.txt"), concat(ascii("Anna lives in Paris.\r\nShe bakes bread in Z"), b(0xFC),
                ascii("rich.\n")));
        Path nul = Files.write(tmp.resolve("nul.txt"), concat(ascii("line one\nline two\nx"), b(0), ascii("y\n")));
        Path utf16 = Files.write(tmp.resolve("utf16.txt"), concat(b(0xFF, 0xFE), "Anna lives in Paris.".getBytes(StandardCharsets.UTF_16LE)));
        record Case(Path file, String message) {}
        List<Case> cases = List.of(
                new Case(zip, "--context-file " + zip + " is not UTF-8 text: a NUL byte at line 1, byte 5 (binary data, or UTF-16 without "
                        + "a byte order mark?); convert it to UTF-8"),
                new Case(latin1, "--context-file " + latin1 + " is not UTF-8 text: byte 0xFC at line 2, byte 21" + REPLACE_HINT),
                new Case(nul, "--context-file " + nul + " is not UTF-8 text: a NUL byte at line 3, byte 2 (binary data, or UTF-16 without "
                        + "a byte order mark?); convert it to UTF-8"),
                new Case(utf16, utf16Message(utf16)),
                new Case(tmp, "--context-file " + tmp + " is not a file"));
        for (Case c : cases) {
            CliRun.Result r = CliRun.run("", "qa", "--model", QA, "--context-file", c.file().toString(), "Who bakes bread?");
            assertEquals(2, r.code(), r.err());
            assertEquals("distil4j qa: " + c.message() + "\n", r.err());
            assertEquals("", r.out());
        }
        CliRun.Result big = CliRun.run("", "qa", "--model", QA, "--context-file", latin1.toString(), "--max-record-size", "16", "Who?");
        assertEquals(2, big.code());
        assertEquals("distil4j qa: --context-file " + latin1 + " is larger than 16 bytes, the limit for one record (--max-record-size)\n",
                big.err());
        // asked for: the bad byte is U+FFFD, line endings kept as they are (answers are offsets into this text)
        CliRun.Result replaced = CliRun.run("", "qa", "--model", QA, "--context-file", latin1.toString(), "--encoding-errors", "replace",
                "Who bakes bread?");
        assertEquals(0, replaced.code(), replaced.err());
        JsonNode answer = replaced.lines().get(0);
        String context = "Anna lives in Paris.\r\nShe bakes bread in Z\uFFFDrich.\n";
        assertEquals(context.substring(answer.get("start").asInt(), answer.get("end").asInt()), answer.get("answer").asText());
    }

    private static String utf16Message(Path f) {
        return "--context-file " + f + " is UTF-16 (it starts with a UTF-16 byte order mark): convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8";
    }
}
