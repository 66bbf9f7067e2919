package dev.distil4j.cli;

import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The training run of the CLI's class-data sharing archive ({@code ./distil4j} runs it once per build
 * with {@code -XX:ArchiveClassesAtExit}): the usage, then {@code embed}, {@code fill-mask} and
 * {@code tokenize} on a tiny random sentence-transformers BERT written to a temporary directory, so
 * that the archive holds the classes a model command loads (picocli, Jackson, tokenizer, safetensors,
 * kernels, pipelines) and not only those of whichever command happened to run first. Writes nothing
 * but the temporary directory, which it removes.
 */
final class CdsTraining {
    private CdsTraining() {}

    private static final int HIDDEN = 32;
    private static final int FFN = 64;
    private static final int LAYERS = 2;

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("distil4j-cds-");
        try {
            writeModel(dir);
            PrintWriter none = new PrintWriter(OutputStream.nullOutputStream());
            command(none, "--help");
            command(none, "embed", "--model", dir.toString(), "A quiet machine.");
            command(none, "embed", "--model", dir.toString(), "--level", "word", "A quiet machine.");
            command(none, "fill-mask", "--model", dir.toString(), "A quiet [MASK].");
            command(none, "tokenize", "--model", dir.toString(), "A quiet machine.");
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void command(PrintWriter none, String... args) {
        int code = Main.run(Main.streams(InputStream.nullInputStream(), OutputStream.nullOutputStream()), none, none, args);
        if (code != 0) throw new IllegalStateException("training command " + List.of(args) + " exited with " + code);
    }

    /** A BERT with an MLM head, as sentence-transformers lays it out (mean pooling, normalised), and its tokenizer.json. */
    private static void writeModel(Path dir) throws IOException {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "quiet", "machine", "."));
        for (int i = vocab.size(); i < 64; i++) vocab.add("w" + i);
        Files.write(dir.resolve("vocab.txt"), vocab);
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["BertForMaskedLM"], "hidden_act": "gelu", "hidden_size": %d, "intermediate_size": %d,
                 "layer_norm_eps": 1e-12, "max_position_embeddings": 64, "model_type": "bert", "num_attention_heads": 4,
                 "num_hidden_layers": %d, "pad_token_id": 0, "type_vocab_size": 2, "vocab_size": %d}
                """.formatted(HIDDEN, FFN, LAYERS, vocab.size()));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true, \"tokenizer_class\": \"BertTokenizer\"}");
        Tokenizer.fromWordPieceVocab(dir.resolve("vocab.txt"), Map.<String, Object>of("do_lower_case", true)).save(dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("modules.json"), """
                [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]
                """);
        Files.writeString(dir.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 64, \"do_lower_case\": false}");
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"),
                "{\"word_embedding_dimension\": " + HIDDEN + ", \"pooling_mode_mean_tokens\": true}");
        Files.createDirectories(dir.resolve("2_Normalize"));

        SplittableRandom r = new SplittableRandom(7);
        List<SafeTensorsWriter.Entry> w = new ArrayList<>();
        tensor(w, r, "bert.embeddings.word_embeddings.weight", vocab.size(), HIDDEN);
        tensor(w, r, "bert.embeddings.position_embeddings.weight", 64, HIDDEN);
        tensor(w, r, "bert.embeddings.token_type_embeddings.weight", 2, HIDDEN);
        layerNorm(w, r, "bert.embeddings.LayerNorm");
        for (int l = 0; l < LAYERS; l++) {
            String p = "bert.encoder.layer." + l + ".";
            for (String n : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
                tensor(w, r, p + n + ".weight", HIDDEN, HIDDEN);
                tensor(w, r, p + n + ".bias", HIDDEN);
            }
            layerNorm(w, r, p + "attention.output.LayerNorm");
            tensor(w, r, p + "intermediate.dense.weight", FFN, HIDDEN);
            tensor(w, r, p + "intermediate.dense.bias", FFN);
            tensor(w, r, p + "output.dense.weight", HIDDEN, FFN);
            tensor(w, r, p + "output.dense.bias", HIDDEN);
            layerNorm(w, r, p + "output.LayerNorm");
        }
        tensor(w, r, "cls.predictions.transform.dense.weight", HIDDEN, HIDDEN);
        tensor(w, r, "cls.predictions.transform.dense.bias", HIDDEN);
        layerNorm(w, r, "cls.predictions.transform.LayerNorm");
        tensor(w, r, "cls.predictions.bias", vocab.size());
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), w, DType.F32, SafeTensorsWriter.TRANSFORMERS_METADATA);
    }

    private static void tensor(List<SafeTensorsWriter.Entry> out, SplittableRandom r, String name, long... shape) {
        int n = 1;
        for (long d : shape) n *= (int) d;
        float[] data = new float[n];
        for (int i = 0; i < n; i++) data[i] = (float) (r.nextDouble(-0.1, 0.1));
        out.add(new SafeTensorsWriter.Entry(name, shape, () -> new FloatTensor(name, shape, FloatBuffer.wrap(data))));
    }

    private static void layerNorm(List<SafeTensorsWriter.Entry> out, SplittableRandom r, String prefix) {
        long[] shape = {HIDDEN};
        float[] ones = new float[HIDDEN];
        java.util.Arrays.fill(ones, 1f);
        out.add(new SafeTensorsWriter.Entry(prefix + ".weight", shape, () -> new FloatTensor(prefix + ".weight", shape, FloatBuffer.wrap(ones))));
        tensor(out, r, prefix + ".bias", HIDDEN);
    }
}
