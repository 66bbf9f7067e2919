package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The record progress bar follows stderr, whatever stdout is, and steps aside for result lines when
 * stdout is the same terminal. In a JVM of its own with real stdout/stderr descriptors; which of them
 * are terminals is given as the launcher gives it ({@code -Ddistil4j.terminals}).
 */
class ProgressBarTest {
    private static final String TINY = CliRun.shared("fixtures/models/distilbert-mlm").toString();

    @TempDir
    Path tmp;

    private Path input(int lines) throws IOException {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < lines; i++) texts.add("the cat sleeps on the warm mat " + i);
        return Files.write(tmp.resolve("in.txt"), texts);
    }

    /** stdout redirected (a pipe here), stderr a terminal: the bar is drawn on stderr, stdout holds only the results. */
    @Test
    void barOnStderrWhenStdoutIsRedirected() throws IOException {
        CliProcess.Result r = CliProcess.run(Map.of(), List.of("-Ddistil4j.terminals=stderr"), false, "",
                "embed", "--model", TINY, "--input", input(40).toString());
        assertEquals(0, r.code(), r.err());
        assertThat(r.err()).contains("\rembed 100% [==============================] 40 records");
        List<String> out = r.out().lines().toList();
        assertEquals(40, out.size());
        for (String l : out) assertThat(CliRun.MAPPER.readTree(l).get("embedding").size()).isEqualTo(32);
    }

    /** stdout and stderr on one terminal, vectors to --output .npy: every {"row"} line lands on a line of its own, the bar below them. */
    @Test
    void resultLinesOnTheSameTerminalDoNotMixWithTheBar() throws IOException {
        int n = 300;
        CliProcess.Result r = CliProcess.run(Map.of(), List.of("-Ddistil4j.terminals=stdout,stderr"), true, "",
                "embed", "--model", TINY, "--input", input(n).toString(), "--output", tmp.resolve("v.npy").toString());
        assertEquals(0, r.code(), r.out());
        List<String> screen = screen(r.out());
        List<Integer> rows = new ArrayList<>();
        List<String> bars = new ArrayList<>();
        for (String line : screen) {
            if (line.startsWith("{")) {
                JsonNode j = CliRun.MAPPER.readTree(line); // a bar drawn over a row would not parse
                rows.add(j.get("row").asInt());
            } else if (line.startsWith("embed ")) {
                bars.add(line);
            } else {
                assertThat(line).as("a line on the screen:\n" + String.join("\n", screen)).startsWith("WARNING: Using incubator modules");
            }
        }
        assertEquals(n, rows.size());
        for (int i = 0; i < n; i++) assertEquals(i, rows.get(i));
        assertThat(bars).hasSize(1); // the finished bar, last; every earlier one was erased before a row line
        assertThat(bars.get(0)).startsWith("embed 100% [==============================] " + n + " records");
        assertThat(screen.get(screen.size() - 1)).isEqualTo(bars.get(0));
    }

    /** What a terminal shows for {@code text}: carriage returns go back to the line's start and later characters overwrite. */
    static List<String> screen(String text) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int col = 0;
        for (char c : text.toCharArray()) {
            if (c == '\n') {
                lines.add(line.toString().stripTrailing());
                line.setLength(0);
                col = 0;
            } else if (c == '\r') {
                col = 0;
            } else {
                if (col < line.length()) line.setCharAt(col, c);
                else line.append(c);
                col++;
            }
        }
        if (!line.isEmpty()) lines.add(line.toString().stripTrailing());
        lines.removeIf(String::isEmpty);
        return lines;
    }
}
