package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.io.JsonInput;
import dev.distil4j.model.ConfigException;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.Weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a sentence-transformers model turns token vectors into one sentence vector, read from its
 * files: {@code modules.json} (the module chain), the Transformer module's
 * {@code sentence_bert_config.json} ({@code max_seq_length}, {@code do_lower_case}),
 * {@code 1_Pooling/config.json} (the pooling modes), and, when present, {@code Dense} modules
 * (their {@code config.json} and weights) and a {@code Normalize} module.
 *
 * <p>Several pooling modes concatenate, in sentence-transformers' order: CLS, max, mean,
 * mean-sqrt-len. Modules after the pooling run in the order of {@code modules.json}.
 *
 * @param transformerDir the Transformer module's directory (the model root, or e.g. {@code 0_BERT/} in old models)
 * @param maxSeqLength   tokens per input, special tokens included; 0 = the model's maximum
 * @param doLowerCase    lower-case texts before tokenizing
 * @param pooling        the pooling modes, at least one
 * @param modules        what runs after the pooling: {@link Dense} and {@link Normalize} steps
 */
public record SentenceTransformerConfig(Path transformerDir, int maxSeqLength, boolean doLowerCase, List<Pooling> pooling,
                                        List<Module> modules) {
    /** Pooling of the token vectors (attention-mask aware: padding never counts). */
    public enum Pooling {
        /** the first token's vector ([CLS] or {@code <s>}) */
        CLS,
        /** per dimension, the maximum over the tokens */
        MAX,
        /** the mean over the tokens, special tokens included (sentence-transformers' default) */
        MEAN,
        /** the sum over the tokens divided by the square root of their number */
        MEAN_SQRT_LEN;

        public static Pooling parse(String s) {
            String k = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (k.equals("MEAN_TOKENS")) return MEAN;
            if (k.equals("MAX_TOKENS")) return MAX;
            if (k.equals("CLS_TOKEN")) return CLS;
            if (k.equals("MEAN_SQRT_LEN_TOKENS")) return MEAN_SQRT_LEN;
            try {
                return valueOf(k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pooling must be cls, mean, max or mean_sqrt_len, not \"" + s + "\"");
            }
        }
    }

    /** A module that runs after the pooling. */
    public sealed interface Module permits Dense, Normalize {}

    /** L2 normalisation ({@code torch.nn.functional.normalize}, eps 1e-12). */
    public record Normalize() implements Module {}

    /**
     * A {@code sentence_transformers.models.Dense} layer: {@code activation(W x + b)}.
     *
     * @param weight     [out, in], row-major
     * @param bias       [out], or null
     * @param activation {@code tanh}, {@code identity}, {@code relu} or {@code sigmoid}
     */
    public record Dense(int in, int out, float[] weight, float[] bias, String activation) implements Module {
        public Dense {
            if (weight.length != (long) in * out) throw new ConfigException("Dense: weight has " + weight.length + " values, not " + in + " x " + out);
            if (bias != null && bias.length != out) throw new ConfigException("Dense: bias has " + bias.length + " values, not " + out);
            if (!List.of("tanh", "identity", "relu", "sigmoid").contains(activation)) {
                throw new ConfigException("Dense: activation \"" + activation + "\" is not supported (tanh, identity, relu, sigmoid)");
            }
            weight = weight.clone();
            bias = bias == null ? null : bias.clone();
        }

        float[] apply(float[] x) {
            if (x.length != in) throw new IllegalArgumentException("Dense expects " + in + " inputs, got " + x.length);
            float[] y = new float[out];
            for (int o = 0; o < out; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < in; i++) s += (double) weight[o * in + i] * x[i];
                float v = (float) s;
                y[o] = switch (activation) {
                    case "tanh" -> (float) Math.tanh(v);
                    case "relu" -> Math.max(0f, v);
                    case "sigmoid" -> Scores.sigmoid(v);
                    default -> v;
                };
            }
            return y;
        }
    }

    public SentenceTransformerConfig {
        if (pooling.isEmpty()) throw new ConfigException("a sentence embedding needs at least one pooling mode");
        if (maxSeqLength < 0) throw new IllegalArgumentException("max_seq_length must be >= 0");
        pooling = List.copyOf(pooling);
        modules = List.copyOf(modules);
    }

    /** Mean pooling, nothing after it: the usual choice for a model without sentence-transformers files. */
    public static SentenceTransformerConfig defaults(Path modelDir) {
        return new SentenceTransformerConfig(modelDir, 0, false, List.of(Pooling.MEAN), List.of());
    }

    public boolean normalizes() {
        return modules.stream().anyMatch(m -> m instanceof Normalize);
    }

    /** The same chain with one pooling mode instead and L2 normalisation on or off at the end. */
    public SentenceTransformerConfig with(List<Pooling> pooling, boolean normalize) {
        List<Module> m = new ArrayList<>(modules.stream().filter(x -> !(x instanceof Normalize)).toList());
        if (normalize) m.add(new Normalize());
        return new SentenceTransformerConfig(transformerDir, maxSeqLength, doLowerCase, pooling, m);
    }

    /**
     * Reads a sentence-transformers model directory; empty when it has no {@code modules.json}.
     *
     * @throws ConfigException for files that are unreadable or name modules this library cannot run
     */
    public static Optional<SentenceTransformerConfig> read(Path dir) {
        Path modulesJson = dir.resolve("modules.json");
        if (!Files.isRegularFile(modulesJson)) return Optional.empty();
        JsonNode modules = json(modulesJson);
        if (!modules.isArray()) throw new ConfigException(modulesJson + ": must be a list of modules");
        Path transformer = null;
        int maxSeq = 0;
        boolean lower = false;
        List<Pooling> pooling = null;
        List<Module> after = new ArrayList<>();
        for (JsonNode m : modules) {
            String type = m.path("type").asText("");
            String path = m.path("path").asText("");
            Path mdir = path.isEmpty() ? dir : dir.resolve(path);
            String kind = type.substring(type.lastIndexOf('.') + 1);
            switch (kind) {
                case "Transformer", "BERT", "DistilBERT", "RoBERTa", "XLMRoBERTa" -> {
                    if (transformer != null) throw new ConfigException(modulesJson + ": more than one Transformer module");
                    transformer = mdir;
                    Path sb = mdir.resolve("sentence_bert_config.json");
                    if (Files.isRegularFile(sb)) {
                        JsonNode c = json(sb);
                        JsonNode ms = c.get("max_seq_length");
                        if (ms != null && !ms.isNull()) {
                            if (!ms.canConvertToInt() || ms.asInt() < 1) throw new ConfigException(sb + ": max_seq_length must be a positive integer");
                            maxSeq = ms.asInt();
                        }
                        lower = c.path("do_lower_case").asBoolean(false);
                    }
                }
                case "Pooling" -> {
                    if (transformer == null) throw new ConfigException(modulesJson + ": the Pooling module comes before the Transformer");
                    pooling = pooling(mdir.resolve("config.json"));
                }
                case "Dense" -> after.add(dense(mdir));
                case "Normalize" -> after.add(new Normalize());
                default -> throw new ConfigException(modulesJson + ": module type \"" + type + "\" is not supported "
                        + "(Transformer, Pooling, Dense, Normalize)");
            }
        }
        if (transformer == null) throw new ConfigException(modulesJson + ": no Transformer module");
        if (pooling == null) throw new ConfigException(modulesJson + ": no Pooling module");
        return Optional.of(new SentenceTransformerConfig(transformer, maxSeq, lower, pooling, after));
    }

    private static List<Pooling> pooling(Path config) {
        JsonNode c = json(config);
        List<Pooling> modes = new ArrayList<>();
        if (c.path("pooling_mode_cls_token").asBoolean(false)) modes.add(Pooling.CLS);
        if (c.path("pooling_mode_max_tokens").asBoolean(false)) modes.add(Pooling.MAX);
        if (c.path("pooling_mode_mean_tokens").asBoolean(false)) modes.add(Pooling.MEAN);
        if (c.path("pooling_mode_mean_sqrt_len_tokens").asBoolean(false)) modes.add(Pooling.MEAN_SQRT_LEN);
        for (String unsupported : List.of("pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken")) {
            if (c.path(unsupported).asBoolean(false)) throw new ConfigException(config + ": " + unsupported + " is not supported");
        }
        if (modes.isEmpty()) throw new ConfigException(config + ": no pooling mode is on");
        return modes;
    }

    private static Dense dense(Path dir) {
        Path cfg = dir.resolve("config.json");
        JsonNode c = json(cfg);
        int in = c.path("in_features").asInt(-1), out = c.path("out_features").asInt(-1);
        if (in < 1 || out < 1) throw new ConfigException(cfg + ": in_features and out_features must be positive integers");
        boolean hasBias = c.path("bias").asBoolean(true);
        String fn = c.path("activation_function").asText("torch.nn.modules.activation.Tanh");
        String act = fn.substring(fn.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        try (Weights w = Checkpoints.open(dir)) {
            float[] weight = tensor(w, "linear.weight", (long) out * in);
            float[] bias = hasBias ? tensor(w, "linear.bias", out) : null;
            return new Dense(in, out, weight, bias, act);
        }
    }

    private static float[] tensor(Weights w, String name, long numel) {
        if (!w.contains(name)) throw new ConfigException(w.source() + ": no tensor \"" + name + "\"");
        FloatTensor t = w.floats(name);
        if (t.numel() != numel) throw new ConfigException(w.source() + ": \"" + name + "\" has " + t.numel() + " values, expected " + numel);
        return t.toArray();
    }

    private static JsonNode json(Path p) {
        return JsonInput.read(p, ConfigException::new);
    }
}
