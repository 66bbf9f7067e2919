package dev.distil4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensorsWriter;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes small random models in Hugging Face layout (config.json + model.safetensors) of any
 * shape, for gradient checks on sizes the goldens do not have: base-model tensors only (heads
 * are initialised by the loader) unless {@code withHead} names a head's tensors to add.
 */
public final class TinyModels {
    private TinyModels() {}

    public record Shape(String modelType, int vocab, int hidden, int heads, int ffn, int layers, int positions, String act, int labels) {}

    public static Path write(Path dir, Shape s, long seed) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        Random r = new Random(seed);
        Map<String, int[]> shapes = new LinkedHashMap<>();
        boolean distil = s.modelType().equals("distilbert"), roberta = s.modelType().equals("roberta");
        String p = s.modelType() + ".";
        int h = s.hidden(), f = s.ffn();
        shapes.put(p + "embeddings.word_embeddings.weight", new int[] {s.vocab(), h});
        shapes.put(p + "embeddings.position_embeddings.weight", new int[] {s.positions(), h});
        if (!distil) shapes.put(p + "embeddings.token_type_embeddings.weight", new int[] {roberta ? 1 : 2, h});
        shapes.put(p + "embeddings.LayerNorm.weight", new int[] {h});
        shapes.put(p + "embeddings.LayerNorm.bias", new int[] {h});
        for (int i = 0; i < s.layers(); i++) {
            String l = p + (distil ? "transformer.layer." : "encoder.layer.") + i + ".";
            List<String[]> linears = new ArrayList<>();
            for (String n : distil ? new String[] {"attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin"}
                    : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
                linears.add(new String[] {n, "" + h, "" + h});
            }
            linears.add(new String[] {distil ? "ffn.lin1" : "intermediate.dense", "" + f, "" + h});
            linears.add(new String[] {distil ? "ffn.lin2" : "output.dense", "" + h, "" + f});
            for (String[] lin : linears) {
                shapes.put(l + lin[0] + ".weight", new int[] {Integer.parseInt(lin[1]), Integer.parseInt(lin[2])});
                shapes.put(l + lin[0] + ".bias", new int[] {Integer.parseInt(lin[1])});
            }
            for (String n : distil ? new String[] {"sa_layer_norm", "output_layer_norm"}
                    : new String[] {"attention.output.LayerNorm", "output.LayerNorm"}) {
                shapes.put(l + n + ".weight", new int[] {h});
                shapes.put(l + n + ".bias", new int[] {h});
            }
        }
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        for (var e : shapes.entrySet()) {
            int[] shape = e.getValue();
            int n = 1;
            for (int d : shape) n *= d;
            float[] data = new float[n];
            boolean norm = e.getKey().contains("LayerNorm") || e.getKey().contains("layer_norm");
            for (int i = 0; i < n; i++) {
                // gammas != 1 and betas/biases != 0, so a swapped or missing term shows
                data[i] = norm && e.getKey().endsWith("weight") ? 1f + 0.2f * (float) r.nextGaussian()
                        : (float) (r.nextGaussian() / Math.sqrt(shape[shape.length - 1]));
            }
            long[] ls = new long[shape.length];
            for (int i = 0; i < shape.length; i++) ls[i] = shape[i];
            entries.add(new SafeTensorsWriter.Entry(e.getKey(), ls,
                    () -> new FloatTensor(e.getKey(), ls, FloatBuffer.wrap(data))));
        }
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), entries, DType.F32, SafeTensorsWriter.TRANSFORMERS_METADATA);
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.put("model_type", s.modelType());
        c.put("vocab_size", s.vocab());
        c.put("max_position_embeddings", s.positions());
        c.put("pad_token_id", roberta ? 1 : 0);
        if (distil) {
            c.put("dim", h).put("n_heads", s.heads()).put("hidden_dim", f).put("n_layers", s.layers())
                    .put("activation", s.act()).put("sinusoidal_pos_embds", false);
        } else {
            c.put("hidden_size", h).put("num_attention_heads", s.heads()).put("intermediate_size", f)
                    .put("num_hidden_layers", s.layers()).put("hidden_act", s.act()).put("type_vocab_size", roberta ? 1 : 2)
                    .put("layer_norm_eps", roberta ? 1e-5 : 1e-12);
        }
        ObjectNode id2label = c.putObject("id2label"), label2id = c.putObject("label2id");
        for (int i = 0; i < s.labels(); i++) {
            id2label.put(String.valueOf(i), "L" + i);
            label2id.put("L" + i, i);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
        return dir;
    }
}
