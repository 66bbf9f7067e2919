package dev.distil4j.bench.encoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A DistilBERT-base-shaped model (6 x 768, 12 heads, FFN 3072, vocab 30522, 512 positions) with
 * seeded random weights, written in Hugging Face layout (config.json + model.safetensors, bare
 * {@code DistilBertModel} keys): the stand-in for real weights when none are at hand. Linear
 * weights ~ N(0, 1/fan_in), embeddings ~ N(0, 0.02^2)... as BERT's initialiser but with
 * non-trivial biases and LayerNorm parameters. Deterministic for a seed; reused when present.
 */
final class RandomDistilBert {
    static final int VOCAB = 30522, DIM = 768, LAYERS = 6, HEADS = 12, FFN = 3072, POSITIONS = 512;

    private RandomDistilBert() {}

    private record Spec(String name, int[] shape, double mean, double std) {
        long numel() {
            long n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    private static List<Spec> specs() {
        List<Spec> s = new ArrayList<>();
        s.add(new Spec("embeddings.word_embeddings.weight", new int[] {VOCAB, DIM}, 0, 0.02));
        s.add(new Spec("embeddings.position_embeddings.weight", new int[] {POSITIONS, DIM}, 0, 0.02));
        s.add(new Spec("embeddings.LayerNorm.weight", new int[] {DIM}, 1, 0.05));
        s.add(new Spec("embeddings.LayerNorm.bias", new int[] {DIM}, 0, 0.02));
        for (int i = 0; i < LAYERS; i++) {
            String l = "transformer.layer." + i + ".";
            for (String lin : new String[] {"q_lin", "k_lin", "v_lin", "out_lin"}) {
                s.add(new Spec(l + "attention." + lin + ".weight", new int[] {DIM, DIM}, 0, 1 / Math.sqrt(DIM)));
                s.add(new Spec(l + "attention." + lin + ".bias", new int[] {DIM}, 0, 0.02));
            }
            s.add(new Spec(l + "sa_layer_norm.weight", new int[] {DIM}, 1, 0.05));
            s.add(new Spec(l + "sa_layer_norm.bias", new int[] {DIM}, 0, 0.02));
            s.add(new Spec(l + "ffn.lin1.weight", new int[] {FFN, DIM}, 0, 1 / Math.sqrt(DIM)));
            s.add(new Spec(l + "ffn.lin1.bias", new int[] {FFN}, 0, 0.02));
            s.add(new Spec(l + "ffn.lin2.weight", new int[] {DIM, FFN}, 0, 1 / Math.sqrt(FFN)));
            s.add(new Spec(l + "ffn.lin2.bias", new int[] {DIM}, 0, 0.02));
            s.add(new Spec(l + "output_layer_norm.weight", new int[] {DIM}, 1, 0.05));
            s.add(new Spec(l + "output_layer_norm.bias", new int[] {DIM}, 0, 0.02));
        }
        return s;
    }

    /** The model directory for {@code seed} under {@code parent}, written if it is not there yet. */
    static Path ensure(Path parent, long seed) {
        Path dir = parent.resolve("distilbert-base-random-" + seed);
        Path weights = dir.resolve("model.safetensors"), config = dir.resolve("config.json");
        List<Spec> specs = specs();
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\",\"seed\":\"" + seed + "\"}");
        long offset = 0;
        for (Spec s : specs) {
            long bytes = s.numel() * 4;
            header.append(",\"").append(s.name).append("\":{\"dtype\":\"F32\",\"shape\":[");
            for (int i = 0; i < s.shape.length; i++) header.append(i == 0 ? "" : ",").append(s.shape[i]);
            header.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) header.append(' ');
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        long total = 8 + h.length + offset;
        try {
            if (Files.isRegularFile(weights) && Files.size(weights) == total && Files.isRegularFile(config)) return dir;
            Files.createDirectories(dir);
            Files.writeString(config, """
                    {
                      "architectures": ["DistilBertModel"],
                      "model_type": "distilbert",
                      "activation": "gelu",
                      "dim": %d,
                      "hidden_dim": %d,
                      "n_heads": %d,
                      "n_layers": %d,
                      "max_position_embeddings": %d,
                      "vocab_size": %d,
                      "sinusoidal_pos_embds": false,
                      "pad_token_id": 0
                    }
                    """.formatted(DIM, FFN, HEADS, LAYERS, POSITIONS, VOCAB));
            Path tmp = dir.resolve("model.safetensors.tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, h.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(h));
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
                int index = 0;
                for (Spec s : specs) {
                    SplittableRandom r = new SplittableRandom(seed * 1_000_003L + index++);
                    for (long i = 0; i < s.numel(); i++) {
                        if (!buf.hasRemaining()) {
                            buf.flip();
                            writeFully(ch, buf);
                            buf.clear();
                        }
                        buf.putFloat((float) (s.mean + s.std * r.nextGaussian()));
                    }
                }
                buf.flip();
                writeFully(ch, buf);
            }
            Files.move(tmp, weights, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the random model under " + dir, e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Tensor names and shapes, for checks. */
    static Map<String, int[]> shapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (Spec s : specs()) m.put(s.name, s.shape);
        return m;
    }
}
