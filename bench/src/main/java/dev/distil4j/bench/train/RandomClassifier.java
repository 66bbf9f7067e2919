package dev.distil4j.bench.train;

import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Sequence classifiers of the DistilBERT-base and BERT-base shapes (hidden 768, 12 heads, FFN 3072,
 * vocab 30522, 512 positions, GELU, 2 labels; 6 and 12 layers) with seeded random weights, written
 * once as Hugging Face model directories (config.json + model.safetensors) under transformers'
 * {@code DistilBertForSequenceClassification} / {@code BertForSequenceClassification} names.
 * Linear weights and embeddings ~ N(0, 0.02), biases 0, LayerNorm weight 1 and bias 0, as
 * transformers initialises them. The weights' values do not matter to the step time; the shapes do.
 */
final class RandomClassifier {
    static final int VOCAB = 30522, DIM = 768, HEADS = 12, FFN = 3072, POSITIONS = 512, LABELS = 2;
    static final double STD = 0.02;

    /** A benchmarked model shape. */
    enum Shape {
        DISTILBERT_BASE("distilbert-base", 6), BERT_BASE("bert-base", 12);

        final String id;
        final int layers;

        Shape(String id, int layers) {
            this.id = id;
            this.layers = layers;
        }

        boolean distil() {
            return this == DISTILBERT_BASE;
        }

        static Shape of(String id) {
            for (Shape s : values()) if (s.id.equals(id)) return s;
            throw new IllegalArgumentException("unknown model " + id + " (distilbert-base, bert-base)");
        }
    }

    private record Spec(String name, long[] shape, Init init) {}

    private enum Init { NORMAL, ZERO, ONE }

    private RandomClassifier() {}

    private static List<Spec> specs(Shape m) {
        List<Spec> s = new ArrayList<>();
        String p = m.distil() ? "distilbert." : "bert.";
        s.add(new Spec(p + "embeddings.word_embeddings.weight", new long[] {VOCAB, DIM}, Init.NORMAL));
        s.add(new Spec(p + "embeddings.position_embeddings.weight", new long[] {POSITIONS, DIM}, Init.NORMAL));
        if (!m.distil()) s.add(new Spec(p + "embeddings.token_type_embeddings.weight", new long[] {2, DIM}, Init.NORMAL));
        layerNorm(s, p + "embeddings.LayerNorm");
        for (int i = 0; i < m.layers; i++) {
            if (m.distil()) {
                String l = p + "transformer.layer." + i + ".";
                for (String lin : new String[] {"q_lin", "k_lin", "v_lin", "out_lin"}) linear(s, l + "attention." + lin, DIM, DIM);
                layerNorm(s, l + "sa_layer_norm");
                linear(s, l + "ffn.lin1", FFN, DIM);
                linear(s, l + "ffn.lin2", DIM, FFN);
                layerNorm(s, l + "output_layer_norm");
            } else {
                String l = p + "encoder.layer." + i + ".";
                for (String lin : new String[] {"query", "key", "value"}) linear(s, l + "attention.self." + lin, DIM, DIM);
                linear(s, l + "attention.output.dense", DIM, DIM);
                layerNorm(s, l + "attention.output.LayerNorm");
                linear(s, l + "intermediate.dense", FFN, DIM);
                linear(s, l + "output.dense", DIM, FFN);
                layerNorm(s, l + "output.LayerNorm");
            }
        }
        linear(s, m.distil() ? "pre_classifier" : p + "pooler.dense", DIM, DIM);
        linear(s, "classifier", LABELS, DIM);
        return s;
    }

    private static void linear(List<Spec> s, String name, int out, int in) {
        s.add(new Spec(name + ".weight", new long[] {out, in}, Init.NORMAL));
        s.add(new Spec(name + ".bias", new long[] {out}, Init.ZERO));
    }

    private static void layerNorm(List<Spec> s, String name) {
        s.add(new Spec(name + ".weight", new long[] {DIM}, Init.ONE));
        s.add(new Spec(name + ".bias", new long[] {DIM}, Init.ZERO));
    }

    /** Number of parameters of the shape (for the report). */
    static long parameterCount(Shape m) {
        long n = 0;
        for (Spec s : specs(m)) n += Arrays.stream(s.shape).reduce(1, (a, b) -> a * b);
        return n;
    }

    /** The model directory for {@code m} and {@code seed} under {@code parent}, written if it is not there yet. */
    static Path ensure(Path parent, Shape m, long seed) {
        Path dir = parent.resolve(m.id + "-seed" + seed);
        Path config = dir.resolve("config.json"), weights = dir.resolve("model.safetensors");
        // config.json is written last: its presence means the directory is complete
        if (Files.isRegularFile(config) && Files.isRegularFile(weights)) return dir;
        System.out.printf("# writing random %s weights (seed %d) to %s ...%n", m.id, seed, dir);
        List<Spec> specs = specs(m);
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            long streamSeed = seed * 1_000_003L + i;
            entries.add(new SafeTensorsWriter.Entry(s.name, s.shape, () -> values(s, streamSeed)));
        }
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(config);
            SafeTensorsWriter.write(weights, entries, DType.F32, Map.of("format", "pt", "seed", Long.toString(seed)));
            Files.writeString(config, m.distil() ? distilConfig(m) : bertConfig(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the random model under " + dir, e);
        }
        return dir;
    }

    private static FloatTensor values(Spec s, long seed) {
        int n = Math.toIntExact(Arrays.stream(s.shape).reduce(1, (a, b) -> a * b));
        float[] v = new float[n];
        switch (s.init) {
            case NORMAL -> {
                SplittableRandom r = new SplittableRandom(seed);
                for (int i = 0; i < n; i++) v[i] = (float) (STD * r.nextGaussian());
            }
            case ONE -> Arrays.fill(v, 1f);
            case ZERO -> { }
        }
        return new FloatTensor(s.name, s.shape, FloatBuffer.wrap(v));
    }

    private static String distilConfig(Shape m) {
        return """
                {
                  "architectures": ["DistilBertForSequenceClassification"],
                  "model_type": "distilbert",
                  "activation": "gelu",
                  "dim": %d,
                  "hidden_dim": %d,
                  "n_heads": %d,
                  "n_layers": %d,
                  "max_position_embeddings": %d,
                  "vocab_size": %d,
                  "sinusoidal_pos_embds": false,
                  "dropout": 0.1,
                  "attention_dropout": 0.1,
                  "seq_classif_dropout": 0.1,
                  "initializer_range": 0.02,
                  "pad_token_id": 0,
                  "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
                  "label2id": {"NEGATIVE": 0, "POSITIVE": 1}
                }
                """.formatted(DIM, FFN, HEADS, m.layers, POSITIONS, VOCAB);
    }

    private static String bertConfig(Shape m) {
        return """
                {
                  "architectures": ["BertForSequenceClassification"],
                  "model_type": "bert",
                  "hidden_act": "gelu",
                  "hidden_size": %d,
                  "intermediate_size": %d,
                  "num_attention_heads": %d,
                  "num_hidden_layers": %d,
                  "max_position_embeddings": %d,
                  "vocab_size": %d,
                  "type_vocab_size": 2,
                  "layer_norm_eps": 1e-12,
                  "hidden_dropout_prob": 0.1,
                  "attention_probs_dropout_prob": 0.1,
                  "initializer_range": 0.02,
                  "pad_token_id": 0,
                  "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
                  "label2id": {"NEGATIVE": 0, "POSITIVE": 1}
                }
                """.formatted(DIM, FFN, HEADS, m.layers, POSITIONS, VOCAB);
    }
}
