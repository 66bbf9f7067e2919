package dev.distil4j.convert;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which files of a Hugging Face model directory distil4j needs besides the weights: the config, the
 * tokenizer files of WordPiece and byte-level BPE models, and the sentence-transformers module
 * descriptions. Used to choose what to download from the hub and what {@code convert} copies.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /** Weight files, in the order a loader prefers them (safetensors first, as transformers). */
    public static final List<String> WEIGHTS = List.of("model.safetensors", "model.safetensors.index.json",
            "pytorch_model.bin", "pytorch_model.bin.index.json");

    /** Everything else a model directory may carry that distil4j reads. */
    public static final List<String> SUPPORT = List.of("config.json", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "added_tokens.json", "vocab.txt", "vocab.json", "merges.txt",
            "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json");

    /** Module configuration of sentence-transformers models, e.g. {@code 1_Pooling/config.json}. */
    public static final Pattern MODULE_CONFIG = Pattern.compile("\\d+_[A-Za-z0-9_]+/config\\.json");

    /** Of {@code available} repository files, those a model directory needs (weight shards come from the index later). */
    public static List<String> select(List<String> available) {
        List<String> out = new ArrayList<>();
        for (String f : SUPPORT) if (available.contains(f)) out.add(f);
        for (String f : WEIGHTS) {
            if (available.contains(f)) {
                out.add(f);
                break;
            }
        }
        for (String f : available) if (MODULE_CONFIG.matcher(f).matches()) out.add(f);
        return out;
    }

    /** Copies the support files (not the weights) from {@code src} to {@code dst}, following symlinks. */
    public static List<String> copySupport(Path src, Path dst, List<String> except) throws IOException {
        List<String> copied = new ArrayList<>();
        List<String> names = new ArrayList<>(SUPPORT);
        try (Stream<Path> s = Files.list(src)) {
            for (Path d : s.toList()) {
                Path cfg = d.resolve("config.json");
                String rel = d.getFileName() + "/config.json";
                if (Files.isDirectory(d) && MODULE_CONFIG.matcher(rel).matches() && Files.isRegularFile(cfg)) names.add(rel);
            }
        }
        for (String n : names) {
            if (except.contains(n)) continue;
            Path from = src.resolve(n);
            if (!Files.isRegularFile(from)) continue;
            Path to = dst.resolve(n);
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            copied.add(n);
        }
        return copied;
    }
}
