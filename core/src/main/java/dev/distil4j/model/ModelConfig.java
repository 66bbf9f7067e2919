package dev.distil4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.io.JsonInput;
import dev.distil4j.kernels.Activation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The parts of a Hugging Face {@code config.json} the encoders need, with transformers' defaults
 * for absent keys. DistilBERT spells its sizes {@code dim}, {@code n_layers}, {@code n_heads},
 * {@code hidden_dim}, {@code activation}; BERT and RoBERTa {@code hidden_size},
 * {@code num_hidden_layers}, ...; both are read into the same fields here.
 *
 * @param labels             {@code id2label} in id order (default LABEL_0, LABEL_1 as transformers)
 * @param layerNormEps       1e-12 for DistilBERT, which hard-codes it
 * @param sinusoidalPosEmbds DistilBERT only: positions are fixed sinusoids
 * @param problemType        transformers' {@code problem_type} or null
 * @param tieWordEmbeddings  the MLM decoder reuses the word embeddings (transformers' default);
 *                           then a decoder weight stored in the checkpoint is ignored, as there
 */
public record ModelConfig(
        Architecture architecture,
        String modelType,
        List<String> architectures,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositionEmbeddings,
        int typeVocabSize,
        Activation activation,
        float layerNormEps,
        int padTokenId,
        boolean sinusoidalPosEmbds,
        List<String> labels,
        String problemType,
        boolean tieWordEmbeddings) {

    public ModelConfig {
        architectures = List.copyOf(architectures);
        labels = List.copyOf(labels);
        if (hiddenSize <= 0 || numLayers < 0 || numHeads <= 0 || intermediateSize <= 0 || vocabSize <= 0
                || maxPositionEmbeddings <= 0) {
            throw new IllegalArgumentException("sizes must be positive: hidden " + hiddenSize + ", layers " + numLayers
                    + ", heads " + numHeads + ", intermediate " + intermediateSize + ", vocab " + vocabSize
                    + ", positions " + maxPositionEmbeddings);
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a multiple of the " + numHeads + " heads");
        }
    }

    /**
     * The most labels {@code num_labels} may ask for without an {@code id2label} (transformers always writes
     * one): past it the number is a corrupt file, not a list of LABEL_i names to build.
     */
    public static final int MAX_LABELS = 1 << 16;

    /** Reads {@code config.json}. Errors name the file and the key. */
    public static ModelConfig read(Path configJson) {
        return fromJson(JsonInput.read(configJson, ConfigException::new), configJson.toString());
    }

    /** Builds the config from parsed JSON; {@code source} names it in errors. */
    public static ModelConfig fromJson(JsonNode root, String source) {
        if (root == null || !root.isObject()) throw new ConfigException(source + ": must be a JSON object");
        Reader r = new Reader(root, source);
        String modelType = r.string("model_type", null);
        if (modelType == null) throw new ConfigException(source + ": missing \"model_type\" (distilbert, bert, roberta, ...)");
        Architecture arch = Architecture.fromModelType(modelType);
        if (arch == null) {
            throw new ConfigException(source + ": model_type \"" + modelType
                    + "\" is not supported (supported: distilbert, bert, roberta, xlm-roberta, camembert)");
        }
        List<String> architectures = new ArrayList<>();
        JsonNode archs = root.get("architectures");
        if (archs != null && archs.isArray()) archs.forEach(a -> architectures.add(a.asText()));

        boolean distil = arch == Architecture.DISTILBERT;
        String act = distil ? r.string("activation", "gelu") : r.string("hidden_act", "gelu");
        Activation activation;
        try {
            activation = Activation.fromHf(act);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + (distil ? "activation" : "hidden_act") + ": " + e.getMessage());
        }
        if (!distil) {
            String pos = r.string("position_embedding_type", "absolute");
            if (!pos.equals("absolute")) {
                throw new ConfigException(source + ": position_embedding_type \"" + pos + "\" is not supported (only absolute)");
            }
        }
        int defaultVocab = arch == Architecture.ROBERTA ? 50265 : 30522;
        try {
            return new ModelConfig(
                    arch, modelType, architectures,
                    r.integer("vocab_size", defaultVocab),
                    distil ? r.integer("dim", 768) : r.integer("hidden_size", 768),
                    distil ? r.integer("n_layers", 6) : r.integer("num_hidden_layers", 12),
                    distil ? r.integer("n_heads", 12) : r.integer("num_attention_heads", 12),
                    distil ? r.integer("hidden_dim", 3072) : r.integer("intermediate_size", 3072),
                    r.integer("max_position_embeddings", 512),
                    distil ? 0 : r.integer("type_vocab_size", 2),
                    activation,
                    distil ? 1e-12f : (float) r.number("layer_norm_eps", 1e-12),
                    r.integer("pad_token_id", arch == Architecture.ROBERTA ? 1 : 0),
                    distil && r.bool("sinusoidal_pos_embds", false),
                    labels(root, r, source),
                    r.string("problem_type", null),
                    r.bool("tie_word_embeddings", true));
        } catch (IllegalArgumentException e) { // the constructor's consistency checks
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    private static List<String> labels(JsonNode root, Reader r, String source) {
        JsonNode id2label = root.get("id2label");
        if (id2label != null && id2label.isObject() && !id2label.isEmpty()) {
            Map<Integer, String> byId = new TreeMap<>();
            id2label.fields().forEachRemaining(e -> {
                try {
                    byId.put(Integer.parseInt(e.getKey().trim()), e.getValue().asText());
                } catch (NumberFormatException ex) {
                    throw new ConfigException(source + ": id2label key \"" + e.getKey() + "\" is not an integer");
                }
            });
            List<String> labels = new ArrayList<>();
            for (var e : byId.entrySet()) {
                if (e.getKey() != labels.size()) {
                    throw new ConfigException(source + ": id2label ids must be 0.." + (byId.size() - 1) + ", found " + e.getKey());
                }
                labels.add(e.getValue());
            }
            return labels;
        }
        int n = r.integer("num_labels", 2);
        if (n < 0 || n > MAX_LABELS) {
            throw new ConfigException(source + ": \"num_labels\" " + n + " is outside 0.." + MAX_LABELS);
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) labels.add("LABEL_" + i);
        return labels;
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public int numLabels() {
        return labels.size();
    }

    /** The head named by {@code architectures[0]}, or null when the config names none. */
    public HeadType declaredHead() {
        return architectures.isEmpty() ? null : HeadType.fromArchitectureName(architectures.get(0));
    }

    /** Typed access to optional keys; wrong types are errors that name the key. */
    private record Reader(JsonNode root, String source) {
        JsonNode get(String key) {
            JsonNode n = root.get(key);
            return n == null || n.isNull() ? null : n;
        }

        int integer(String key, int dflt) {
            JsonNode n = get(key);
            if (n == null) return dflt;
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw new ConfigException(source + ": \"" + key + "\" must be an integer, not " + n);
            }
            return n.asInt();
        }

        double number(String key, double dflt) {
            JsonNode n = get(key);
            if (n == null) return dflt;
            if (!n.isNumber()) throw new ConfigException(source + ": \"" + key + "\" must be a number, not " + n);
            return n.asDouble();
        }

        boolean bool(String key, boolean dflt) {
            JsonNode n = get(key);
            if (n == null) return dflt;
            if (!n.isBoolean()) throw new ConfigException(source + ": \"" + key + "\" must be true or false, not " + n);
            return n.asBoolean();
        }

        String string(String key, String dflt) {
            JsonNode n = get(key);
            if (n == null) return dflt;
            if (!n.isTextual()) throw new ConfigException(source + ": \"" + key + "\" must be a string, not " + n);
            return n.asText();
        }
    }
}
