package dev.distil4j.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Looks up a model's parameters by their Hugging Face names in a checkpoint, whatever prefix the
 * checkpoint used: a DistilBertForMaskedLM stores {@code distilbert.embeddings...}, a bare
 * DistilBertModel stores {@code embeddings...}; heads ({@code vocab_transform}, {@code classifier})
 * are never prefixed. Every lookup checks the shape against what the config implies.
 */
public final class Parameters {
    private final Weights weights;
    private final String prefix;

    /** @param prefix the architecture's base-model prefix without the dot ("distilbert", "bert", "roberta") */
    public Parameters(Weights weights, String prefix) {
        this.weights = weights;
        this.prefix = prefix.isEmpty() ? "" : prefix + ".";
    }

    public Weights weights() {
        return weights;
    }

    /** The stored key for an HF parameter name, or null when absent under every accepted spelling. */
    public String resolve(String name) {
        String key = lookup(name);
        if (key != null) return key;
        // checkpoints from the TF era name LayerNorm parameters gamma/beta; transformers renames them on load
        if (name.endsWith(".weight")) return lookup(name.substring(0, name.length() - 6) + "gamma");
        if (name.endsWith(".bias")) return lookup(name.substring(0, name.length() - 4) + "beta");
        return null;
    }

    private String lookup(String name) {
        if (!prefix.isEmpty() && weights.contains(prefix + name)) return prefix + name;
        return weights.contains(name) ? name : null;
    }

    public boolean has(String name) {
        return resolve(name) != null;
    }

    /** The tensor {@code name} (HF spelling, without prefix), which must have exactly {@code shape}. */
    public FloatTensor tensor(String name, long... shape) {
        String key = resolve(name);
        if (key == null) {
            List<String> tried = new ArrayList<>();
            if (!prefix.isEmpty()) tried.add("'" + prefix + name + "'");
            tried.add("'" + name + "'");
            throw new WeightsException(weights.source() + ": missing tensor '" + name + "' (looked for "
                    + String.join(" and ", tried) + ")");
        }
        TensorInfo info = weights.info(key).orElseThrow();
        if (!Arrays.equals(info.shape(), shape)) {
            throw new WeightsException(weights.source() + ": tensor '" + key + "' has shape " + info.shapeString()
                    + ", the model config needs " + Arrays.toString(shape));
        }
        if (!info.dtype().widensToFloat()) {
            throw new WeightsException(weights.source() + ": tensor '" + key + "' is " + info.dtype()
                    + "; only F32, F16 and BF16 weights can be used");
        }
        return weights.floats(key);
    }

    /** A small tensor (bias, LayerNorm parameter) copied to the heap. */
    public float[] vector(String name, int length) {
        return tensor(name, length).toArray();
    }
}
