package dev.distil4j.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds and opens the weights of a model directory in Hugging Face layout, whatever format they
 * are in. Preference order, as transformers: safetensors (single, then sharded), then PyTorch
 * ({@code pytorch_model.bin}, then its sharded index), then a Google BERT TensorFlow 1 bundle
 * ({@code variables/variables.index}, {@code variables.index}, {@code *.ckpt.index}).
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** Weight files looked for in a directory, in preference order. */
    public static final List<String> WEIGHT_FILES = List.of("model.safetensors", "model.safetensors.index.json",
            "pytorch_model.bin", "pytorch_model.bin.index.json", "variables/variables.index", "variables.index",
            "bert_model.ckpt.index", "model.ckpt.index");

    /** Opens the weights in {@code dir} (or the weights file {@code dir} itself). */
    public static Weights open(Path dir) {
        if (Files.isRegularFile(dir)) {
            return openFile(dir);
        }
        Optional<Path> found = find(dir);
        if (found.isPresent()) return openFile(found.get());
        String hint = "";
        if (Files.isRegularFile(dir.resolve("tf_model.h5")) || Files.isRegularFile(dir.resolve("flax_model.msgpack"))) {
            hint = "; TensorFlow 2 (tf_model.h5) and Flax weights are not read: convert them with transformers "
                    + "(from_pretrained(dir, from_tf=True / from_flax=True).save_pretrained(out))";
        }
        throw new WeightsException(dir + ": no weights found (looked for " + String.join(", ", WEIGHT_FILES)
                + "); the directory holds: " + listing(dir) + hint);
    }

    /** The weights file {@link #open(Path)} would use in {@code dir}, if any. */
    public static Optional<Path> find(Path dir) {
        for (String name : WEIGHT_FILES) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Opens one weights file, by its name. */
    public static Weights openFile(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".safetensors")) return SafeTensors.open(file);
        if (name.endsWith(".index.json")) return ShardedWeights.open(file);
        if (name.endsWith(".bin") || name.endsWith(".pt") || name.endsWith(".pth")) return TorchCheckpoint.open(file);
        if (name.endsWith(".index")) return TfCheckpoint.open(file);
        throw new WeightsException(file + ": unknown weights format (expected .safetensors, .safetensors.index.json, "
                + "pytorch_model.bin, pytorch_model.bin.index.json or a TensorFlow PREFIX.index)");
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
