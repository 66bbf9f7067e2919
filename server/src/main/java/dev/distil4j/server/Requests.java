package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.tokenizer.Side;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Reading request fields and enforcing the per-request limits, the same way on every route: wrong
 * types are 422, missing or empty inputs 400 ("Empty"), more inputs than {@code --max-client-batch-size}
 * or an input longer than the model takes 422 (the latter unless truncation is on).
 */
final class Requests {
    private final ServerOptions options;

    Requests(ServerOptions options) {
        this.options = options;
    }

    boolean autoTruncate() {
        return options.autoTruncate();
    }

    /** A string or a non-empty list of strings. */
    static List<String> strings(JsonNode n, String field) {
        if (n == null || n.isNull()) throw ApiException.empty("the request has no \"" + field + "\"");
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            if (n.isEmpty()) throw ApiException.empty("\"" + field + "\" cannot be empty");
            if (n.get(0).isNumber() || n.get(0).isArray()) {
                throw ApiException.validation("token-id inputs are not supported; send \"" + field + "\" as strings");
            }
            for (JsonNode x : n) {
                if (!x.isTextual()) throw ApiException.validation("\"" + field + "\" must hold strings, got " + x);
                out.add(x.asText());
            }
        } else {
            throw ApiException.validation("\"" + field + "\" must be a string or a list of strings, got " + n.getNodeType().name().toLowerCase());
        }
        return out;
    }

    static boolean bool(JsonNode body, String key, boolean dflt) {
        JsonNode n = body == null ? null : body.get(key);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw ApiException.validation("\"" + key + "\" must be true or false, got " + n);
        return n.asBoolean();
    }

    /** {@code truncation_direction} as TEI reads it: "Left"/"left" or "Right"/"right" (the default). */
    static Side side(JsonNode body) {
        JsonNode n = body == null ? null : body.get("truncation_direction");
        if (n == null || n.isNull()) return Side.RIGHT;
        if (n.isTextual()) {
            switch (n.asText()) {
                case "Left", "left" -> { return Side.LEFT; }
                case "Right", "right" -> { return Side.RIGHT; }
                default -> { }
            }
        }
        throw ApiException.validation("\"truncation_direction\" must be \"Left\" or \"Right\" (or \"left\", \"right\"), got " + n);
    }

    /** TEI's {@code prompt_name}: sentence-transformers prompts are not supported, so a request naming one is refused, not answered without it. */
    static void noPrompt(JsonNode body) {
        JsonNode n = body == null ? null : body.get("prompt_name");
        if (n != null && !n.isNull()) throw ApiException.validation("\"prompt_name\" is not supported: this server applies no prompts");
    }

    /** {@code dimensions}: null when absent; otherwise 1 to {@code max}. */
    static Integer dimensions(JsonNode body, int max) {
        JsonNode n = body == null ? null : body.get("dimensions");
        if (n == null || n.isNull()) return null;
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1) {
            throw ApiException.validation("\"dimensions\" must be a positive integer, got " + n);
        }
        if (n.asInt() > max) {
            throw ApiException.validation("\"dimensions\" " + n.asInt() + " is larger than the model's " + max + "-dimensional embeddings");
        }
        return n.asInt();
    }

    void checkCount(int n) {
        checkCount(n, options.maxClientBatch());
    }

    static void checkCount(int n, int max) {
        if (n > max) throw ApiException.validation("batch size " + n + " > maximum allowed batch size " + max);
    }

    /** Token counts of single texts; see {@link #counts(ServedModel, List, ToIntFunction, boolean)}. */
    int[] tokens(ServedModel m, List<String> texts, boolean truncate) {
        return counts(m, texts, t -> m.tokens(t, null), truncate);
    }

    /**
     * Token counts (special tokens included), capped at the model's maximum input length; an input over
     * it is a 422, as TEI answers, unless {@code truncate}.
     */
    <T> int[] counts(ServedModel m, List<T> inputs, ToIntFunction<T> count, boolean truncate) {
        int max = m.maxInputLength();
        int[] t = new int[inputs.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = count.applyAsInt(inputs.get(i));
            if (t[i] > max) {
                if (!truncate) {
                    throw ApiException.validation((inputs.size() > 1 ? "input " + i + " has " : "the input has ") + t[i]
                            + " tokens; model " + m.id() + " takes at most " + max
                            + " (send \"truncate\": true, or start the server with --auto-truncate)");
                }
                t[i] = max;
            }
        }
        return t;
    }
}
