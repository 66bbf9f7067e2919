package dev.distil4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code --output}: never one of the inputs, written whole when the run is done or not at all, and
 * a write failure is one line naming the file.
 */
class OutputFileTest {
    private static final String TOKENIZER = CliRun.shared("fixtures/models/distilbert-seqcls").toString();
    private static final String MLM = CliRun.shared("fixtures/models/distilbert-mlm").toString();
    private static final String QA = CliRun.shared("fixtures/models/distilbert-qa").toString();
    private static final String INPUT = "hello world\nthe second line\n";

    @TempDir
    Path tmp;

    private static String[] args(String... a) {
        return a;
    }

    /** The same file under another name (relative, symbolic link, hard link, a link to a link): refused, the input intact. */
    @Test
    void theInputIsNeverTheOutput() throws IOException {
        Path in = Files.writeString(tmp.resolve("in.txt"), INPUT);
        Path link = Files.createSymbolicLink(tmp.resolve("link.txt"), in);
        Path linkToLink = Files.createSymbolicLink(tmp.resolve("link2.txt"), link);
        Path hard = Files.createLink(tmp.resolve("hard.txt"), in);
        Path dotted = tmp.resolve("sub/../in.txt");
        Files.createDirectories(tmp.resolve("sub"));
        for (Path[] pair : new Path[][] {{in, in}, {in, link}, {link, in}, {in, linkToLink}, {hard, link}, {in, dotted}}) {
            for (String command : List.of("tokenize", "classify")) {
                CliRun.Result r = CliRun.run("", command, "--model", TOKENIZER, "--input", pair[0].toString(), "--output", pair[1].toString());
                assertEquals(2, r.code(), command + " " + pair[0] + " -> " + pair[1] + ": " + r.err());
                assertThat(r.err()).isEqualTo("distil4j " + command + ": --output " + pair[1] + " is the input " + pair[0]
                        + ": writing it would destroy the input; choose another output file\n");
                assertEquals(INPUT, Files.readString(in));
            }
        }
        // embed's .npy and qa's --context-file are inputs and outputs as well
        Path npy = tmp.resolve("texts.npy");
        Files.writeString(npy, INPUT);
        CliRun.Result e = CliRun.run("", "embed", "--model", MLM, "--input", npy.toString(), "--input-format", "lines", "--output", npy.toString());
        assertEquals(2, e.code(), e.err());
        assertThat(e.err()).contains("--output " + npy + " is the input");
        assertEquals(INPUT, Files.readString(npy));
        Path context = Files.writeString(tmp.resolve("context.txt"), "Anna lives in Paris.");
        CliRun.Result q = CliRun.run("", "qa", "--model", QA, "--context-file", context.toString(), "--output", context.toString(), "Who?");
        assertEquals(2, q.code(), q.err());
        assertThat(q.err()).contains("--output " + context + " is the input " + context);
        assertEquals("Anna lives in Paris.", Files.readString(context));
        Path tokenizer = tmp.resolve("tokenizer.json");
        dev.distil4j.tokenizer.Tokenizer.fromDirectory(Path.of(QA)).save(tokenizer);
        byte[] before = Files.readAllBytes(tokenizer);
        CliRun.Result t = CliRun.run("", "qa", "--model", QA, "--tokenizer", tokenizer.toString(), "--context", "Anna lives in Paris.",
                "--output", tokenizer.toString(), "Who?");
        assertEquals(2, t.code(), t.err());
        assertThat(t.err()).contains("--output " + tokenizer + " is the input " + tokenizer);
        assertThat(Files.readAllBytes(tokenizer)).isEqualTo(before);
    }

    /** stdin redirected from the file named by --output (a child process: the real descriptor 0). */
    @Test
    void stdinsFileIsAnInputToo() throws IOException {
        Path in = Files.writeString(tmp.resolve("in.txt"), INPUT);
        String java = CliProcess.shell(CliProcess.command(List.of(), "tokenize", "--model", TOKENIZER, "--output", in.toString()));
        CliProcess.Result r = CliProcess.exec(Map.of(), "", false, List.of("bash", "-c", java + " < " + CliProcess.quote(in.toString())));
        assertEquals(2, r.code(), r.err());
        assertThat(r.err()).contains("--output " + in + " is the input (stdin)");
        assertEquals(INPUT, Files.readString(in));
    }

    /** A run that completes replaces the file at once, keeping its permissions; a symbolic link stays a link. */
    @Test
    void aCompleteRunReplacesTheFile() throws IOException {
        Path in = Files.writeString(tmp.resolve("in.txt"), INPUT);
        Path out = Files.writeString(tmp.resolve("out.jsonl"), "old content\n".repeat(1000));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
        CliRun.Result r = CliRun.run("", "tokenize", "--model", TOKENIZER, "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out());
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        assertThat(lines.get(0)).startsWith("{\"ids\":[3,");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertThat(leftovers()).isEmpty();

        Path target = Files.writeString(tmp.resolve("target.jsonl"), "old\n");
        Path link = Files.createSymbolicLink(tmp.resolve("via-link.jsonl"), target);
        CliRun.Result l = CliRun.run("", "tokenize", "--model", TOKENIZER, "--input", in.toString(), "--output", link.toString());
        assertEquals(0, l.code(), l.err());
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertEquals(2, Files.readAllLines(target).size());

        // a new file in a new directory; a device, written in place
        Path fresh = tmp.resolve("new/dir/out.jsonl");
        assertEquals(0, CliRun.run("", "tokenize", "--model", TOKENIZER, "--input", in.toString(), "--output", fresh.toString()).code());
        assertEquals(2, Files.readAllLines(fresh).size());
        CliRun.Result dn = CliRun.run("", "tokenize", "--model", TOKENIZER, "--input", in.toString(), "--output", "/dev/null");
        assertEquals(0, dn.code(), dn.err());
        assertThat(Files.isRegularFile(Path.of("/dev/null"))).as("/dev/null replaced by a file").isFalse();
    }

    /**
     * A run that stops (--fail-fast at a bad record, a bad line late in the file, a CSV cut short) leaves
     * an existing file as it was and no half file or temporary file anywhere.
     */
    @Test
    void aRunThatStopsLeavesTheFileAsItWas() throws IOException {
        String old = "results of an earlier run\n";
        record Case(String name, String input, String[] extra) {}
        List<Case> cases = List.of(
                new Case("fail-fast", "{\"text\": \"fine\"}\n{\"text\": \"also fine\"}\n{bad\n{\"text\": \"never read\"}\n", args("--fail-fast")),
                new Case("fail-fast at a missing field", "\"fine\"\n{\"other\": 1}\n\"never read\"\n", args("--fail-fast")),
                new Case("unclosed CSV quote", "text\nfine\n\"never closed\n", args("--input-format", "csv")),
                new Case("UTF-16 input", "\uFEFFhello", args()));
        for (Case c : cases) {
            Path in = tmp.resolve(c.name().replace(' ', '-') + ".in");
            byte[] bytes = c.name().equals("UTF-16 input") ? c.input().getBytes(StandardCharsets.UTF_16LE) : c.input().getBytes(StandardCharsets.UTF_8);
            Files.write(in, bytes);
            for (String missing : List.of("existing", "absent")) {
                Path out = tmp.resolve(missing + ".jsonl");
                if (missing.equals("existing")) Files.writeString(out, old);
                else Files.deleteIfExists(out);
                String[] a = Stream.concat(Stream.of("tokenize", "--model", TOKENIZER, "--input", in.toString(), "--output", out.toString()),
                        Stream.of(c.extra())).toArray(String[]::new);
                CliRun.Result r = CliRun.run("", a);
                assertEquals(2, r.code(), c.name() + ": " + r.err());
                if (missing.equals("existing")) assertEquals(old, Files.readString(out), c.name());
                else assertThat(out).as(c.name()).doesNotExist();
                assertThat(leftovers()).as(c.name()).isEmpty();
                if (c.extra().length > 0 && c.extra()[0].equals("--fail-fast")) assertThat(r.err()).contains("--output not written");
            }
        }
        // without --fail-fast the same bad records are answered in place and the file is written
        Path in = Files.writeString(tmp.resolve("bad.jsonl"), "{\"text\": \"fine\"}\n{bad\n\"also fine\"\n");
        Path out = tmp.resolve("out.jsonl");
        CliRun.Result r = CliRun.run("", "tokenize", "--model", TOKENIZER, "--input", in.toString(), "--output", out.toString());
        assertEquals(2, r.code());
        List<String> lines = Files.readAllLines(out);
        assertEquals(3, lines.size());
        assertThat(lines.get(1)).startsWith("{\"error\":\"invalid JSON (column 2)").endsWith("\"line\":2}");
    }

    /** The .npy of embed follows the same rule: complete, with its row count, or not there. */
    @Test
    void theNpyMatrixIsWrittenWholeOrNotAtAll() throws IOException {
        Path npy = tmp.resolve("v.npy");
        Files.writeString(npy, "old");
        CliRun.Result stopped = CliRun.run("{\"text\": \"a b\"}\n{\"nope\": 1}\n{\"text\": \"c\"}\n", "embed", "--model", MLM,
                "--output", npy.toString(), "--fail-fast");
        assertEquals(2, stopped.code());
        assertEquals("old", Files.readString(npy));
        CliRun.Result ok = CliRun.run("a b\nc d e\n", "embed", "--model", MLM, "--output", npy.toString());
        assertEquals(0, ok.code(), ok.err());
        String header = new String(Files.readAllBytes(npy), 0, 128, StandardCharsets.US_ASCII);
        assertThat(header).contains("'shape': (2, 32)");
        assertEquals(128 + 2 * 32 * 4, Files.size(npy));
        assertThat(leftovers()).isEmpty();
    }

    /** A full disk ({@code /dev/full}) is one line naming the output, exit 2: as --output, and as stdout (a child process). */
    @Test
    void aFullDiskIsOneLineNamingTheOutput() {
        for (String command : List.of("tokenize", "classify")) {
            CliRun.Result r = CliRun.run("", command, "--model", TOKENIZER, "--output", "/dev/full", "hello world", "more");
            assertEquals(2, r.code(), r.err());
            assertEquals("distil4j " + command + ": cannot write /dev/full: the disk is full (No space left on device)\n", r.err());
        }
        CliRun.Result npy = CliRun.run("", "embed", "--model", MLM, "--output", "/dev/full", "hello");
        assertEquals(2, npy.code(), npy.err());
        assertThat(npy.err()).startsWith("distil4j embed: cannot write /dev/full: ");
        for (String command : List.of("tokenize --model " + TOKENIZER + " hello", "forward --model " + TOKENIZER, "models", "--help")) {
            String java = CliProcess.shell(CliProcess.command(List.of(), command.split(" ")));
            CliProcess.Result r = CliProcess.exec(Map.of(), "{\"input_ids\": [[3, 4]]}", false, List.of("bash", "-c", java + " > /dev/full"));
            assertEquals(2, r.code(), command + ": " + r.err());
            assertThat(r.err()).as(command).endsWith("cannot write stdout: the disk is full (No space left on device)\n")
                    .doesNotContain("internal error").doesNotContain("\tat ");
        }
    }

    /** Outputs that cannot be created: one line naming the output and why, exit 2, nothing left behind. */
    @Test
    void anOutputThatCannotBeCreatedIsOneLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain.txt"), "x");
        record Case(Path output, String message) {}
        List<Case> cases = List.of(
                new Case(file.resolve("out.jsonl"), "cannot write " + file.resolve("out.jsonl") + ": a file is in the way (" + file + ")"),
                new Case(file.resolve("sub/out.jsonl"), "cannot write " + file.resolve("sub/out.jsonl") + ": Not a directory (" + file.resolve("sub") + ")"),
                new Case(tmp, "--output " + tmp + " is a directory"));
        for (Case c : cases) {
            CliRun.Result r = CliRun.run("", "tokenize", "--model", TOKENIZER, "--output", c.output().toString(), "hello");
            assertEquals(2, r.code(), r.err());
            assertEquals("distil4j tokenize: " + c.message() + "\n", r.err());
        }
        assertEquals("x", Files.readString(file));
        assertThat(leftovers()).isEmpty();
    }

    /** Temporary files left in the test's directory, anywhere below it. */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }
}
