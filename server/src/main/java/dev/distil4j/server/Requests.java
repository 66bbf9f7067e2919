package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.pipeline.PreparedInput;
import dev.distil4j.tokenizer.Side;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntBiFunction;

/**
 * Reading request fields and enforcing the per-request limits, the same way on every route: wrong
 * types are 422, missing or empty inputs 400 ("Empty"), more inputs than {@code --max-client-batch-size}
 * or an input longer than the model takes 422 (the latter unless truncation is on), and so is a request
 * whose tokenised inputs would make the model run more than the work limits allow.
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

    /**
     * Refuses, as TEI does (422), an input longer than the model takes (special tokens included) unless
     * {@code truncate}; {@code length} gives an input's untruncated token count, counted up to the limit
     * it is given: the count is exact up to {@code --max-request-tokens}, and no input is tokenised
     * further than that here (a megabyte text is "more than" that many tokens).
     */
    <T> void checkLengths(ServedModel m, List<T> inputs, ToIntBiFunction<T, Integer> length, boolean truncate) {
        if (truncate) return;
        int max = m.maxInputLength();
        int exactUpTo = Math.max(max, options.maxRequestTokens());
        for (int i = 0; i < inputs.size(); i++) {
            int n = length.applyAsInt(inputs.get(i), exactUpTo + 1);
            if (n > max) {
                throw ApiException.validation((inputs.size() > 1 ? "input " + i + " has " : "the input has ")
                        + (n > exactUpTo ? "more than " + exactUpTo : n)
                        + " tokens; model " + m.id() + " takes at most " + max
                        + " (send \"truncate\": true, or start the server with --auto-truncate)");
            }
        }
    }

    /** {@link #checkLengths} for single texts, counted by the model's tokenizer. */
    void checkTextLengths(ServedModel m, List<String> texts, boolean truncate) {
        checkLengths(m, texts, (t, atMost) -> m.tokens(t, null, atMost), truncate);
    }

    /**
     * What a request asks of the model, against the per-request limits, before anything is queued:
     * the tokens the model runs (all inputs and windows, special tokens included) and the number of
     * forward-pass sequences. Over either, 422: one client must not hold the model's only worker.
     */
    void checkWork(List<? extends PreparedInput> inputs) {
        long tokens = 0, windows = 0;
        for (PreparedInput p : inputs) {
            tokens += p.tokens();
            windows += p.windows();
        }
        checkWindows(windows, inputs.size());
        checkTokens(tokens, subject(inputs.size()) + " would run", "through the model");
    }

    /**
     * Windows counted before they are built (question answering, strided token classification), against
     * {@code --max-request-windows}: a long context is refused before it becomes thousands of windows.
     */
    void checkWindows(int[] counts) {
        long windows = 0;
        for (int n : counts) windows += n;
        checkWindows(windows, counts.length);
    }

    private void checkWindows(long windows, int inputs) {
        // never below one window per input of a full request: the limit is about long inputs cut into many
        int max = Math.max(options.maxRequestWindows(), options.maxClientBatch());
        if (windows > max) {
            throw ApiException.validation(subject(inputs) + " would run as " + windows + " model windows; the server takes at most "
                    + max + " per request (--max-request-windows): send a shorter context or fewer inputs, "
                    + "or larger windows (max_seq_len, doc_stride)");
        }
    }

    private static String subject(int inputs) {
        return inputs == 1 ? "the input" : inputs + " inputs";
    }

    /** {@code --max-request-tokens}. */
    int maxRequestTokens() {
        return options.maxRequestTokens();
    }

    /** {@code tokens} for one request (what a route computes, or answers with, per token) against {@code --max-request-tokens}. */
    void checkTokens(long tokens, String subject, String where) {
        if (tokens > options.maxRequestTokens()) {
            throw ApiException.validation(subject + " " + tokens + " tokens " + where + "; the server takes at most "
                    + options.maxRequestTokens() + " per request (--max-request-tokens): send shorter or fewer inputs");
        }
    }

    /** {@link #checkWork} for each part of {@code chunk} inputs that goes to the batcher on its own (OpenAI's large requests). */
    void checkWork(List<? extends PreparedInput> inputs, int chunk) {
        for (int from = 0; from < inputs.size(); from += chunk) checkWork(inputs.subList(from, Math.min(inputs.size(), from + chunk)));
    }

    /** The answers a request asks for (fill-mask candidates, question-answering answers), against {@code --max-predictions}: 422 over. */
    void checkPredictions(long n, String what) {
        if (n > options.maxPredictions()) {
            throw ApiException.validation("the request asks for " + n + " " + what + "; the server gives at most "
                    + options.maxPredictions() + " per request (--max-predictions): lower top_k or send fewer inputs");
        }
    }
}
