package dev.distil4j.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Finds and opens the weights of a model directory in Hugging Face layout. */
public final class Checkpoints {
    private Checkpoints() {}

    /**
     * Opens the weights in {@code dir}: {@code model.safetensors}, else the sharded
     * {@code model.safetensors.index.json}.
     */
    public static Weights open(Path dir) {
        if (Files.isRegularFile(dir)) {
            return openFile(dir);
        }
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(single)) return SafeTensors.open(single);
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) return ShardedWeights.open(index);
        throw new WeightsException(dir + ": no weights found (looked for model.safetensors and "
                + "model.safetensors.index.json); the directory holds: " + listing(dir));
    }

    /** Opens one weights file, by its name. */
    public static Weights openFile(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) return SafeTensors.open(file);
        if (name.endsWith(".safetensors.index.json")) return ShardedWeights.open(file);
        throw new WeightsException(file + ": unknown weights format (expected .safetensors or .safetensors.index.json)");
    }

    private static String listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            String names = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(", "));
            return names.isEmpty() ? "nothing" : names;
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
