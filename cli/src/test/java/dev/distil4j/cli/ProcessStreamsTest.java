package dev.distil4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The process's own descriptors, in child processes started by bash: a stdin closed at start is
 * refused instead of read (the JVM's lib/modules would take its place), and a stdout whose reader
 * went away stops the command quietly with exit 141 instead of computing to the end.
 */
class ProcessStreamsTest {
    private static final String SEQCLS = CliRun.shared("fixtures/models/distilbert-seqcls").toString();
    private static final String MLM = CliRun.shared("fixtures/models/distilbert-mlm").toString();
    private static final String TOKCLS = CliRun.shared("fixtures/models/distilbert-tokcls").toString();
    private static final String QA = CliRun.shared("fixtures/models/distilbert-qa").toString();
    private static final String CLOSED = "stdin is closed (the command was started with <&- or without a standard input): "
            + "give the input as arguments, with --input FILE, or on a pipe";

    @TempDir
    Path tmp;

    private static String java(String... args) {
        return CliProcess.shell(CliProcess.command(List.of(), args));
    }

    private static CliProcess.Result bash(String script) {
        return CliProcess.exec(Map.of(), "", false, List.of("bash", "-c", script));
    }

    /** stderr without the JVM's incubator warning (the launcher drops it; a bare java command does not). */
    private static String err(CliProcess.Result r) {
        return r.err().replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "");
    }

    /** Every command that reads stdin, started with it closed: one line, exit 2, nothing on stdout, nothing read. */
    @Test
    void aClosedStdinIsRefused() {
        List<String[]> commands = List.of(
                new String[] {"tokenize", "--model", SEQCLS},
                new String[] {"tokenize", "--model", SEQCLS, "--input", "-", "--input-format", "jsonl"},
                new String[] {"classify", "--model", SEQCLS},
                new String[] {"embed", "--model", MLM},
                new String[] {"ner", "--model", TOKCLS},
                new String[] {"qa", "--model", QA, "--context", "Anna lives in Paris."},
                new String[] {"fill-mask", "--model", MLM},
                new String[] {"forward", "--model", SEQCLS});
        for (String[] c : commands) {
            CliProcess.Result r = bash(java(c) + " <&-");
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals("distil4j " + c[0] + ": " + CLOSED + "\n", err(r), String.join(" ", c));
            assertEquals("", r.out(), String.join(" ", c));
        }
        // a command given its texts does not read stdin: closed is fine
        CliProcess.Result args = bash(java("tokenize", "--model", SEQCLS, "hello world") + " <&-");
        assertEquals(0, args.code(), args.err());
        assertThat(args.out()).startsWith("{\"ids\":[3,148,226,4]");
        // open but not for reading: the system's reason, as a user error
        CliProcess.Result writeOnly = bash(java("tokenize", "--model", SEQCLS) + " 0>" + CliProcess.quote(tmp.resolve("w").toString()));
        assertEquals(2, writeOnly.code(), writeOnly.err());
        assertThat(err(writeOnly)).startsWith("distil4j tokenize: cannot read stdin: ").doesNotContain("internal error");
    }

    /** The same through the launcher, which tells the CLI itself (-Ddistil4j.stdin=closed), and for a file: no stdin needed. */
    @Test
    void theLauncherSaysStdinIsClosed() throws IOException {
        Path root = LauncherTest.launcherWithTheCli(tmp);
        CliProcess.Result r = bash(CliProcess.quote(root.resolve("distil4j").toString()) + " tokenize --model " + CliProcess.quote(SEQCLS) + " <&-");
        assertEquals(2, r.code(), r.err());
        assertEquals("distil4j tokenize: " + CLOSED + "\n", r.err());
        Path in = Files.writeString(tmp.resolve("in.txt"), "hello world\n");
        CliProcess.Result f = bash(CliProcess.quote(root.resolve("distil4j").toString()) + " tokenize --model " + CliProcess.quote(SEQCLS)
                + " --input " + CliProcess.quote(in.toString()) + " <&-");
        assertEquals(0, f.code(), f.err());
        assertThat(f.out()).startsWith("{\"ids\":[3,148,226,4]");
    }

    /**
     * An endless input ({@code yes}) piped through the command into {@code head -n 1}: the command must
     * stop when head has gone, with exit 141 and nothing on stderr; before, it computed forever.
     */
    @Test
    void aBrokenPipeStopsTheCommandQuietly() {
        record Case(String text, String[] command) {}
        List<Case> cases = List.of(
                new Case("hello world", new String[] {"tokenize", "--model", SEQCLS}),
                new Case("{\"text\": \"hello world\"}", new String[] {"tokenize", "--model", SEQCLS, "--input-format", "jsonl"}),
                new Case("a fine day", new String[] {"classify", "--model", SEQCLS}),
                new Case("a fine day", new String[] {"embed", "--model", MLM}),
                new Case("Anna lives in Paris", new String[] {"ner", "--model", TOKCLS}),
                new Case("Paris is the [MASK] of France.", new String[] {"fill-mask", "--model", MLM}),
                new Case("hello world", new String[] {"tokenize", "--model", SEQCLS, "--output", "/dev/stdout"}));
        for (Case c : cases) {
            String script = "yes " + CliProcess.quote(c.text()) + " 2>/dev/null | " + java(c.command()) + " | head -n 1; exit ${PIPESTATUS[1]}";
            CliProcess.Result r = bash(script);
            String what = String.join(" ", c.command());
            assertEquals(BrokenPipe.EXIT, r.code(), what + ": " + r.err());
            assertEquals("", err(r), what);
            assertEquals(1, r.out().lines().count(), what);
            assertThat(r.out()).as(what).matches("[\\[{].*\n");
        }
    }

    /** A stdout that is not a pipe but fails (a full disk) is an error, not a quiet stop: see OutputFileTest; a terminal-less stdout to a file just works. */
    @Test
    void stdoutToAFileIsUnchanged() throws IOException {
        Path out = tmp.resolve("out.jsonl");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 300; i++) texts.add("line number " + i);
        Path in = Files.write(tmp.resolve("in.txt"), texts);
        CliProcess.Result r = bash(java("tokenize", "--model", SEQCLS, "--input", in.toString()) + " > " + CliProcess.quote(out.toString()));
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(300, lines.size());
        assertEquals(CliRun.run("", "tokenize", "--model", SEQCLS, "line number 299").out(), lines.get(299) + "\n");
    }
}
