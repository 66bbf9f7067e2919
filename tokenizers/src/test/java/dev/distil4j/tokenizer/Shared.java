package dev.distil4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reference data in ../shared (system property {@code distil4j.shared}); missing data fails the test. */
final class Shared {
    static final ObjectMapper JSON = new ObjectMapper();

    private Shared() {}

    static Path root() {
        String p = System.getProperty("distil4j.shared");
        if (p == null) {
            throw new IllegalStateException("system property distil4j.shared is not set (run the tests through Maven)");
        }
        Path root = Path.of(p);
        if (!Files.isRegularFile(root.resolve("README.md"))) {
            throw new IllegalStateException("reference data missing: " + root.toAbsolutePath()
                    + " (../shared beside the project root) has no README.md");
        }
        return root;
    }

    static Path path(String rel) {
        Path f = root().resolve(rel);
        if (!Files.exists(f)) {
            throw new IllegalStateException("reference file missing: " + f.toAbsolutePath());
        }
        return f;
    }

    static List<JsonNode> jsonl(Path f) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(f)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(Path f) {
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asInt();
        }
        return r;
    }

    static List<String> strings(JsonNode a) {
        List<String> r = new ArrayList<>();
        a.forEach(n -> r.add(n.asText()));
        return r;
    }

    /** The golden tokenizer names, as in fixtures/manifest.json. */
    static final List<String> GOLDEN_NAMES = List.of("bert-base-uncased", "bert-base-cased",
            "bert-base-multilingual-cased", "roberta-base", "tiny-wordpiece-uncased", "tiny-bpe");

    /** Loads a golden tokenizer from its legacy files with the kwargs the manifest records. */
    static Tokenizer legacy(String name) {
        JsonNode t = json(path("fixtures/manifest.json")).get("tokenizers").get(name);
        Map<String, Object> kwargs = JSON.convertValue(t.get("kwargs"),
                new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
        List<String> files = strings(t.get("vocab"));
        Path first = path("fixtures/" + files.get(0).replace("real_vocab/", "vocab/"));
        if (files.size() == 1) {
            return Tokenizer.fromWordPieceVocab(first, kwargs);
        }
        Path second = path("fixtures/" + files.get(1).replace("real_vocab/", "vocab/"));
        return Tokenizer.fromBpeFiles(first, second, kwargs);
    }
}
