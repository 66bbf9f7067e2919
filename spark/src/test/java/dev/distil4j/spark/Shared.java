package dev.distil4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The reference data beside the project root ({@code ../shared}); tests fail, never skip, without it. */
final class Shared {
    private Shared() {}

    static Path root() {
        String prop = System.getProperty("distil4j.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isRegularFile(p.resolve("README.md"))) p = Path.of("..", "..", "shared");
        if (!Files.isRegularFile(p.resolve("README.md"))) {
            throw new IllegalStateException("the reference data ../shared is missing (looked at " + p.toAbsolutePath()
                    + "); it must sit beside the project root");
        }
        return p.toAbsolutePath().normalize();
    }

    static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) throw new IllegalStateException("missing reference file " + p);
        return p;
    }

    /** The {@code text} of every line of a tokenizer golden file ({@code fixtures/tokenizers/NAME.jsonl}). */
    static List<String> goldenStrings(String name) {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(path("fixtures/tokenizers/" + name + ".jsonl"))) {
                if (!line.isBlank()) out.add(json.readTree(line).get("text").asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static JsonNode json(String relative) {
        try {
            return new ObjectMapper().readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
