package dev.distil4j.train.trainer;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.io.JsonInput;
import dev.distil4j.model.ConfigException;
import dev.distil4j.train.data.LabelSet;
import dev.distil4j.train.nn.Param;
import dev.distil4j.train.nn.TrainableModel;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.SafeTensorsWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A fine-tuned model as a Hugging Face model directory: {@code config.json} (the source's, with the task's
 * {@code architectures}, labels and {@code problem_type}), {@code model.safetensors} under transformers'
 * names, and the source's tokenizer files, so that transformers, distil4j's inference and its pipelines
 * load it as they load any checkpoint.
 */
public final class ModelDirectory {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Python's {@code json.dumps(indent=2)}, as transformers writes config.json and trainer_state.json. */
    private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n"))
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    /** The tokenizer files a model directory may carry (whichever the source has are copied). */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "vocab.txt", "vocab.json", "merges.txt");

    private ModelDirectory() {}

    /** {@code config.json} for the fine-tuned model, keys sorted as transformers writes them. */
    static ObjectNode config(Path sourceDir, Task task, String modelType, LabelSet labels) {
        Path file = sourceDir.resolve("config.json");
        JsonNode source = JsonInput.read(file, ConfigException::new);
        Map<String, JsonNode> sorted = new TreeMap<>();
        source.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
        ObjectNode c = JSON.createObjectNode();
        sorted.forEach(c::set);
        c.putArray("architectures").add(family(modelType) + task.architectureSuffix());
        c.remove(List.of("num_labels", "_num_labels", "problem_type"));
        LabelSet written = task == Task.REGRESSION ? LabelSet.of("LABEL_0") : labels;
        if (written != null) {
            ObjectNode id2label = JSON.createObjectNode(), label2id = JSON.createObjectNode();
            written.id2label().forEach((id, l) -> id2label.put(String.valueOf(id), l));
            written.label2id().forEach(label2id::put);
            c.set("id2label", id2label);
            c.set("label2id", label2id);
        }
        if (task == Task.TEXT_CLASSIFICATION) c.put("problem_type", "single_label_classification");
        if (task == Task.REGRESSION) c.put("problem_type", "regression");
        // keep the keys sorted with the new ones in place
        Map<String, JsonNode> again = new TreeMap<>();
        c.fields().forEachRemaining(e -> again.put(e.getKey(), e.getValue()));
        ObjectNode out = JSON.createObjectNode();
        again.forEach(out::set);
        return out;
    }

    /** transformers' class-name stem of a model type ({@code DistilBert}, {@code XLMRoberta}). */
    public static String family(String modelType) {
        return switch (modelType.toLowerCase(Locale.ROOT)) {
            case "distilbert" -> "DistilBert";
            case "bert" -> "Bert";
            case "roberta" -> "Roberta";
            case "xlm-roberta" -> "XLMRoberta";
            case "camembert" -> "Camembert";
            default -> throw new IllegalArgumentException("no transformers class for model type " + modelType);
        };
    }

    /** Writes config.json, model.safetensors and the tokenizer files of {@code tokenizerSource} into {@code dir}. */
    public static void writeModel(Path dir, ObjectNode config, TrainableModel model, Path tokenizerSource) throws IOException {
        Files.createDirectories(dir);
        writeJson(dir.resolve("config.json"), config);
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        for (Param p : model.parameters()) {
            long[] shape = new long[p.shape().length];
            for (int i = 0; i < shape.length; i++) shape[i] = p.shape()[i];
            float[] data = p.data();
            entries.add(new SafeTensorsWriter.Entry(p.name(), shape, () -> new FloatTensor(p.name(), shape, FloatBuffer.wrap(data))));
        }
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), entries, DType.F32, SafeTensorsWriter.TRANSFORMERS_METADATA);
        for (String f : TOKENIZER_FILES) {
            Path from = tokenizerSource.resolve(f);
            // through a stream: a copy of a read-only source file must not come out read-only
            if (Files.isRegularFile(from)) {
                try (InputStream in = Files.newInputStream(from)) {
                    Files.copy(in, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public static void writeJson(Path file, JsonNode json) throws IOException {
        Files.writeString(file, PRETTY.writeValueAsString(json) + "\n", StandardCharsets.UTF_8);
    }

    /** Copies a checkpoint's model.safetensors into the model's parameters, by name (resuming). */
    public static void loadWeights(Path checkpoint, TrainableModel model) {
        Path file = checkpoint.resolve("model.safetensors");
        try (SafeTensors st = SafeTensors.open(file)) {
            for (Param p : model.parameters()) {
                if (!st.contains(p.name())) throw new IllegalArgumentException(file + ": no tensor '" + p.name() + "'");
                float[] v = st.floats(p.name()).toArray();
                if (v.length != p.size()) {
                    throw new IllegalArgumentException(file + ": '" + p.name() + "' has " + v.length + " values, the model " + p.size());
                }
                System.arraycopy(v, 0, p.data(), 0, v.length);
                p.changed();
            }
        }
    }

    /** What fills a directory. */
    public interface Filler {
        void fill(Path dir) throws IOException;
    }

    /**
     * Creates {@code target} whole or not at all: filled as a hidden sibling, then renamed into place, so that
     * an interrupted save never leaves a half-written checkpoint (an older one of that name is replaced).
     */
    public static void writeAtomically(Path target, Filler filler) {
        Path parent = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(parent);
            tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            filler.fill(tmp);
            Path old = null;
            if (Files.exists(target)) {
                old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
                Files.delete(old);
                move(target, old);
            }
            move(tmp, target);
            tmp = null;
            if (old != null) deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) deleteQuietly(tmp);
        }
    }

    /**
     * Writes the final model into {@code dir}, which also holds checkpoints: each file is written beside it and
     * renamed over the old one, so that a reader never sees a half-written file.
     */
    public static void replaceFiles(Path dir, Filler filler) {
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempDirectory(dir, ".model.tmp-");
            filler.fill(tmp);
            try (Stream<Path> files = Files.list(tmp)) {
                for (Path f : files.toList()) move(f, dir.resolve(f.getFileName().toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model to " + dir + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) deleteQuietly(tmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException ignored) {
            // a leftover hidden temp directory is harmless
        }
    }
}
