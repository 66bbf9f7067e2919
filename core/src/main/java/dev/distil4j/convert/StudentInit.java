package dev.distil4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.Parameters;
import dev.distil4j.weights.SafeTensorsWriter;
import dev.distil4j.weights.TensorInfo;
import dev.distil4j.weights.Weights;
import dev.distil4j.weights.WeightsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The DistilBERT authors' student initialisation: a 6-layer DistilBERT whose weights are copied from
 * a BERT teacher (their {@code scripts/extract_distilbert.py}). Embeddings: word, position and
 * LayerNorm (token types are dropped); teacher layers 0, 2, 4, 7, 9, 11 become student layers 0..5
 * ({@code q_lin/k_lin/v_lin} ← query/key/value, {@code out_lin} ← attention.output.dense,
 * {@code sa_layer_norm} ← attention.output.LayerNorm, {@code ffn.lin1/lin2} ←
 * intermediate.dense/output.dense, {@code output_layer_norm} ← output.LayerNorm); the MLM head
 * ({@code vocab_transform}, {@code vocab_layer_norm}, {@code vocab_projector.bias}) comes from
 * {@code cls.predictions}, and {@code vocab_projector.weight} stays tied to the word embeddings.
 */
public final class StudentInit {
    /** The teacher layers the DistilBERT authors kept. */
    public static final List<Integer> DEFAULT_LAYERS = List.of(0, 2, 4, 7, 9, 11);

    /** What was written. */
    public record Result(Path directory, int tensors, long bytes, List<String> copiedFiles) {}

    private StudentInit() {}

    /**
     * Writes the student into {@code out} (created; must be empty or absent).
     *
     * @param teacherDir a BERT model directory (config.json with model_type bert, and its weights)
     * @param layers     teacher layer per student layer, in student order
     */
    public static Result fromTeacher(Path teacherDir, Path out, List<Integer> layers) {
        JsonNode tc = Json.read(teacherDir.resolve("config.json"));
        String type = tc.path("model_type").asText("");
        if (!type.equals("bert")) {
            throw new WeightsException(teacherDir + ": the teacher must be a BERT model (model_type \"bert\"), not \""
                    + type + "\"");
        }
        int teacherLayers = tc.path("num_hidden_layers").asInt(12);
        if (layers.isEmpty()) throw new WeightsException("--layers: give at least one teacher layer");
        Set<Integer> seen = new HashSet<>();
        for (int l : layers) {
            if (l < 0 || l >= teacherLayers) {
                throw new WeightsException("--layers: teacher layer " + l + " does not exist (the teacher has "
                        + teacherLayers + " layers, 0.." + (teacherLayers - 1) + ")");
            }
            if (!seen.add(l)) throw new WeightsException("--layers: teacher layer " + l + " is listed twice");
        }
        String act = tc.path("hidden_act").asText("gelu");
        if (!act.equals("gelu") && !act.equals("relu")) {
            throw new WeightsException(teacherDir + ": hidden_act \"" + act + "\": DistilBERT supports only gelu and relu");
        }
        double eps = tc.path("layer_norm_eps").asDouble(1e-12);
        if (eps != 1e-12) {
            throw new WeightsException(teacherDir + ": layer_norm_eps " + eps + ": DistilBERT hard-codes 1e-12, the student "
                    + "would not compute what the teacher's layers do");
        }
        Converter.requireEmpty(out);
        try (Weights w = Checkpoints.open(teacherDir)) {
            Parameters p = new Parameters(w, "bert");
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            String e = "distilbert.embeddings.";
            copy(entries, p, e + "word_embeddings.weight", "embeddings.word_embeddings.weight");
            copy(entries, p, e + "position_embeddings.weight", "embeddings.position_embeddings.weight");
            copy(entries, p, e + "LayerNorm.weight", "embeddings.LayerNorm.weight");
            copy(entries, p, e + "LayerNorm.bias", "embeddings.LayerNorm.bias");
            for (int s = 0; s < layers.size(); s++) {
                String st = "distilbert.transformer.layer." + s + ".", te = "encoder.layer." + layers.get(s) + ".";
                for (String wb : new String[] {"weight", "bias"}) {
                    copy(entries, p, st + "attention.q_lin." + wb, te + "attention.self.query." + wb);
                    copy(entries, p, st + "attention.k_lin." + wb, te + "attention.self.key." + wb);
                    copy(entries, p, st + "attention.v_lin." + wb, te + "attention.self.value." + wb);
                    copy(entries, p, st + "attention.out_lin." + wb, te + "attention.output.dense." + wb);
                    copy(entries, p, st + "sa_layer_norm." + wb, te + "attention.output.LayerNorm." + wb);
                    copy(entries, p, st + "ffn.lin1." + wb, te + "intermediate.dense." + wb);
                    copy(entries, p, st + "ffn.lin2." + wb, te + "output.dense." + wb);
                    copy(entries, p, st + "output_layer_norm." + wb, te + "output.LayerNorm." + wb);
                }
            }
            boolean mlm = p.has("cls.predictions.bias") && p.has("cls.predictions.transform.dense.weight");
            if (mlm) {
                for (String wb : new String[] {"weight", "bias"}) {
                    copy(entries, p, "vocab_transform." + wb, "cls.predictions.transform.dense." + wb);
                    copy(entries, p, "vocab_layer_norm." + wb, "cls.predictions.transform.LayerNorm." + wb);
                }
                copy(entries, p, "vocab_projector.bias", "cls.predictions.bias");
            }
            Files.createDirectories(out);
            long bytes = SafeTensorsWriter.write(out.resolve("model.safetensors"), entries, DType.F32,
                    SafeTensorsWriter.TRANSFORMERS_METADATA);
            Json.write(out.resolve("config.json"), studentConfig(tc, layers.size(), mlm));
            List<String> copied = ModelFiles.copySupport(teacherDir, out, List.of("config.json", "tokenizer_config.json"));
            Path tokCfg = teacherDir.resolve("tokenizer_config.json");
            if (Files.isRegularFile(tokCfg)) {
                if (!(Json.read(tokCfg) instanceof ObjectNode t)) throw new WeightsException(tokCfg + ": expected a JSON object");
                if (t.path("tokenizer_class").asText("").startsWith("Bert")) {
                    t.put("tokenizer_class", t.get("tokenizer_class").asText().replace("Bert", "DistilBert"));
                }
                Json.write(out.resolve("tokenizer_config.json"), t);
                copied.add("tokenizer_config.json");
            }
            return new Result(out, entries.size(), bytes, copied);
        } catch (IOException ex) {
            throw new WeightsException(out + ": cannot write: " + ex.getMessage(), ex);
        }
    }

    private static void copy(List<SafeTensorsWriter.Entry> entries, Parameters p, String studentName, String teacherName) {
        String key = p.resolve(teacherName);
        if (key == null) {
            throw new WeightsException(p.weights().source() + ": the teacher has no '" + teacherName + "' (nor 'bert."
                    + teacherName + "')");
        }
        TensorInfo info = p.weights().info(key).orElseThrow();
        if (!info.dtype().widensToFloat()) {
            throw new WeightsException(p.weights().source() + ": '" + key + "' is " + info.dtype() + ", not a float tensor");
        }
        entries.add(new SafeTensorsWriter.Entry(studentName, info.shape(), () -> p.weights().floats(key)));
    }

    static ObjectNode studentConfig(JsonNode tc, int layers, boolean mlm) {
        ObjectNode c = Json.object();
        c.put("activation", tc.path("hidden_act").asText("gelu"));
        c.putArray("architectures").add(mlm ? "DistilBertForMaskedLM" : "DistilBertModel");
        c.put("attention_dropout", tc.path("attention_probs_dropout_prob").asDouble(0.1));
        c.put("dim", tc.path("hidden_size").asInt(768));
        c.put("dropout", tc.path("hidden_dropout_prob").asDouble(0.1));
        c.put("hidden_dim", tc.path("intermediate_size").asInt(3072));
        c.put("initializer_range", tc.path("initializer_range").asDouble(0.02));
        c.put("max_position_embeddings", tc.path("max_position_embeddings").asInt(512));
        c.put("model_type", "distilbert");
        c.put("n_heads", tc.path("num_attention_heads").asInt(12));
        c.put("n_layers", layers);
        c.put("pad_token_id", tc.path("pad_token_id").asInt(0));
        c.put("qa_dropout", 0.1);
        c.put("seq_classif_dropout", 0.2);
        c.put("sinusoidal_pos_embds", false);
        c.put("torch_dtype", "float32");
        c.put("vocab_size", tc.path("vocab_size").asInt(30522));
        return c;
    }

    /** Parses {@code 0,2,4,7,9,11}. */
    public static List<Integer> parseLayers(String s) {
        try {
            return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new WeightsException("--layers: '" + s + "' is not a comma-separated list of layer numbers");
        }
    }
}
