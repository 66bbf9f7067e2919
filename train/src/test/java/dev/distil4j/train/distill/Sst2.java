package dev.distil4j.train.distill;

import dev.distil4j.train.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** SST-2's training sentences as a plain one-sentence-per-line corpus. */
final class Sst2 {
    private Sst2() {}

    static List<String> sentences(int max) throws IOException {
        try (var lines = Files.lines(Shared.path("data/glue/SST-2/train.tsv"), StandardCharsets.UTF_8)) {
            return lines.skip(1).limit(max).map(l -> l.substring(0, l.lastIndexOf('\t'))).toList();
        }
    }

    /** Writes up to {@code max} sentences to {@code dir/sst2.txt}. */
    static Path corpusFile(Path dir, int max) throws IOException {
        Path f = dir.resolve("sst2.txt");
        Files.write(f, sentences(max), StandardCharsets.UTF_8);
        return f;
    }
}
