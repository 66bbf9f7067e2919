package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Tensor;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TruncationStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hugging Face's {@code pipeline("fill-mask")} (transformers 4.28): the most likely tokens for every
 * mask token of a text, with the same scores, tokens and decoded sequences.
 *
 * <p>Behaviour kept from Hugging Face, on purpose: special tokens are not excluded from the
 * predictions (top-1 can be {@code [UNK]}, which the single-mask {@code sequence} then drops);
 * with several masks every {@code sequence} keeps special tokens (so the other masks stay
 * visible); a target that is not a vocabulary entry is replaced by the first token of its
 * tokenization; targets are de-duplicated; {@code top_k} is capped at the number of targets. Where transformers fails
 * ({@code top_k} larger than the vocabulary), it is capped at the vocabulary.
 * Inputs are not truncated: a text longer than the model is an error, as in transformers.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * try (PipelineModel m = PipelineModel.load(Path.of("bert-base-uncased"))) {
 *     FillMask fm = new FillMask(m);
 *     for (FillMask.Prediction p : fm.predict("Hello I'm a [MASK] model.").first())
 *         System.out.println(p.tokenStr() + " " + p.score());
 * }
 * }</pre>
 */
public final class FillMask {
    /**
     * One candidate for one mask.
     *
     * @param score    softmax probability over the whole vocabulary (float32)
     * @param token    the token id
     * @param tokenStr {@code tokenizer.decode([token])}
     * @param sequence the input with this mask replaced, decoded (special tokens skipped when the
     *                 input has exactly one mask, kept otherwise)
     */
    public record Prediction(float score, int token, String tokenStr, String sequence) {}

    /**
     * What to predict.
     *
     * @param topK    candidates per mask (Hugging Face's default 5)
     * @param targets restrict candidates to these words (null or empty: the whole vocabulary)
     */
    public record Options(int topK, List<String> targets) {
        public Options {
            if (topK < 1) throw new IllegalArgumentException("top_k must be at least 1, got " + topK);
            targets = targets == null ? List.of() : List.copyOf(targets);
        }

        public static Options defaults() {
            return new Options(5, null);
        }

        public Options withTopK(int k) {
            return new Options(k, targets);
        }

        public Options withTargets(List<String> t) {
            return new Options(topK, t);
        }
    }

    /**
     * The predictions for one input text: one list per mask token, in text order.
     *
     * @param input the text
     * @param masks predictions per mask, best first
     */
    public record Result(String input, List<List<Prediction>> masks) {
        public Result {
            masks = masks.stream().map(List::copyOf).toList();
        }

        /** The predictions for the first (for single-mask inputs, the only) mask. */
        public List<Prediction> first() {
            return masks.get(0);
        }

        public boolean singleMask() {
            return masks.size() == 1;
        }
    }

    /**
     * Targets as the pipeline resolves them.
     *
     * @param ids      de-duplicated token ids, in the order the pipeline scores them
     * @param warnings one line per target that is not a vocabulary entry (replaced or dropped)
     */
    public record Targets(int[] ids, List<String> warnings) {
        public Targets {
            ids = ids.clone();
            warnings = List.copyOf(warnings);
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        /** Value equality (the ids, then the warnings): equal targets are the same request option. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Targets t && Arrays.equals(ids, t.ids) && warnings.equals(t.warnings);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(ids) + warnings.hashCode();
        }

        @Override
        public String toString() {
            return "Targets[ids=" + Arrays.toString(ids) + ", warnings=" + warnings + "]";
        }
    }

    /** Default number of inputs per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 8;

    private final PipelineModel model;
    private final int batchSize;

    public FillMask(PipelineModel model) {
        this(model, DEFAULT_BATCH_SIZE);
    }

    /** @param batchSize inputs per forward pass (padded to the longest of the batch) */
    public FillMask(PipelineModel model, int batchSize) {
        if (model.model().headType() != HeadType.MASKED_LM) {
            throw new IllegalArgumentException(model.dir() + ": fill-mask needs a masked-language-model head (*ForMaskedLM), "
                    + "this model has " + model.model().headType());
        }
        if (model.tokenizer().maskTokenId() < 0) {
            throw new IllegalArgumentException(model.dir() + ": the tokenizer does not define a mask token");
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        this.model = model;
        this.batchSize = batchSize;
    }

    /** Loads the model directory (it must have an MLM head); close the returned model's {@link PipelineModel} when done. */
    public static FillMask load(Path dir) {
        return new FillMask(PipelineModel.load(dir));
    }

    public PipelineModel model() {
        return model;
    }

    /** The mask token to write in texts, e.g. {@code [MASK]} or {@code <mask>}. */
    public String maskToken() {
        return model.tokenizer().idToToken(model.tokenizer().maskTokenId());
    }

    public Result predict(String text) {
        return predict(text, Options.defaults());
    }

    public Result predict(String text, Options options) {
        return predictBatch(List.of(text), options).get(0);
    }

    /**
     * Predicts for several texts, running up to the batch size of them in one padded forward pass.
     *
     * @throws IllegalArgumentException when a text has no mask token or is longer than the model
     *                                  (the message names the text's index)
     */
    public List<Result> predictBatch(List<String> texts, Options options) {
        return predictPrepared(prepare(texts), options, options.targets().isEmpty() ? null : resolveTargets(options.targets()));
    }

    /**
     * One text tokenised for the model: its ids, segment ids and the positions of its mask tokens.
     *
     * @param text the input
     */
    public record Prepared(String text, int[] ids, int[] typeIds, int[] masks) implements PreparedInput {
        public Prepared {
            ids = ids.clone();
            typeIds = typeIds == null ? null : typeIds.clone();
            masks = masks.clone();
        }

        @Override
        public int tokens() {
            return ids.length;
        }


        /** How many mask tokens the text has: each gets its own list of predictions. */
        public int maskCount() {
            return masks.length;
        }
    }

    /**
     * Tokenises texts for {@link #predictPrepared}.
     *
     * @throws IllegalArgumentException when a text has no mask token or is longer than the model
     *                                  (the message names the text's index)
     */
    public List<Prepared> prepare(List<String> texts) {
        Tokenizer tok = model.tokenizer();
        int maskId = tok.maskTokenId();
        List<Prepared> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text == null) throw new IllegalArgumentException(where(texts, i) + "text is null");
            // far over the limit (a megabyte request): refused after counting part of it, not tokenised whole;
            // a short text is not counted twice (whatever it holds, it is cheap to tokenise)
            int far = 16 * model.maxLength();
            if (text.length() > far / 4 && tok.countTokens(text, far) >= far) {
                throw new IllegalArgumentException(where(texts, i) + "input is at least " + far
                        + " tokens, more than the model's maximum of " + model.maxLength());
            }
            Encoding e = tok.encode(text, EncodeOptions.DEFAULT);
            int[] ids = e.ids();
            int[] masks = positions(ids, maskId);
            if (masks.length == 0) {
                throw new IllegalArgumentException(where(texts, i) + "no mask token (" + maskToken() + ") found in the input");
            }
            if (ids.length > model.maxLength()) {
                throw new IllegalArgumentException(where(texts, i) + "input is " + ids.length
                        + " tokens, more than the model's maximum of " + model.maxLength());
            }
            out.add(new Prepared(text, ids, e.typeIds(), masks));
        }
        return out;
    }

    /**
     * Candidates per mask that {@code options} get: {@code top_k} capped at the number of targets, as
     * transformers caps it, and also at the vocabulary (where transformers' {@code torch.topk} fails):
     * a {@code top_k} beyond what exists cannot allocate or compute more than exists.
     *
     * @param targets the resolved targets, or null for the whole vocabulary
     */
    public int topK(Options options, Targets targets) {
        int candidates = targets != null ? targets.ids.length : model.model().config().vocabSize();
        return Math.min(options.topK(), candidates);
    }

    /**
     * Predicts for prepared texts.
     *
     * @param targets {@code options.targets()} resolved by {@link #resolveTargets}; null when there are none
     */
    public List<Result> predictPrepared(List<Prepared> inputs, Options options, Targets targets) {
        Tokenizer tok = model.tokenizer();
        int[] targetIds = targets == null ? null : targets.ids;
        int topK = topK(options, targets);
        List<Batches.Sequence> seqs = new ArrayList<>(inputs.size());
        for (Prepared p : inputs) seqs.add(new Batches.Sequence(p.ids, p.typeIds));
        Result[] results = new Result[inputs.size()];
        int vocab = model.model().config().vocabSize();
        int pad = Batches.padId(model);
        boolean cleanUp = tok.config().cleanUpTokenizationSpaces();
        Batches.run(model, seqs, batchSize, vocab, (input, out, row, length) -> {
            Tensor logits = out.logits();
            int seqLen = logits.dim(1);
            int[] ids = inputs.get(input).ids;
            int[] masks = inputs.get(input).masks;
            boolean single = masks.length == 1;
            List<List<Prediction>> perMask = new ArrayList<>(masks.length);
            for (int m : masks) {
                float[] probs = Scores.softmax(logits.data(), (row * seqLen + m) * vocab, vocab);
                if (targetIds != null) {
                    float[] t = new float[targetIds.length];
                    for (int j = 0; j < t.length; j++) t[j] = probs[targetIds[j]];
                    probs = t;
                }
                List<Prediction> preds = new ArrayList<>(topK);
                for (int idx : Scores.topK(probs, topK)) {
                    int token = targetIds != null ? targetIds[idx] : idx;
                    int[] filled = ids.clone();
                    filled[m] = token;
                    // the pipeline drops pad ids before decoding (they appear when it batches)
                    int[] kept = Arrays.stream(filled).filter(x -> x != pad).toArray();
                    preds.add(new Prediction(probs[idx], token, tok.decode(new int[] {token}, false, cleanUp),
                            tok.decode(kept, single, cleanUp)));
                }
                perMask.add(preds);
            }
            results[input] = new Result(inputs.get(input).text, perMask);
        });
        return List.of(results);
    }

    /**
     * Resolves targets as the pipeline's {@code get_target_ids}: a vocabulary entry is taken as is;
     * anything else is replaced by the first token of its tokenization (with a warning), or dropped
     * when it tokenizes to nothing. The ids are then de-duplicated in the order Python's
     * {@code list(set(ids))} gives.
     *
     * @throws IllegalArgumentException when no target is left
     */
    public Targets resolveTargets(List<String> targets) {
        Tokenizer tok = model.tokenizer();
        List<String> warnings = new ArrayList<>();
        int[] ids = new int[targets.size()];
        int n = 0;
        EncodeOptions first = EncodeOptions.DEFAULT.withAddSpecialTokens(false).withTruncation(TruncationStrategy.LONGEST_FIRST, 1);
        for (String t : targets) {
            if (t == null) throw new IllegalArgumentException("a target is null");
            int id = tok.tokenToId(t);
            if (id < 0) {
                int[] enc = tok.encode(t, first).ids();
                if (enc.length == 0) {
                    warnings.add("The specified target token `" + t + "` does not exist in the model vocabulary. "
                            + "We cannot replace it with anything meaningful, ignoring it");
                    continue;
                }
                id = enc[0];
                warnings.add("The specified target token `" + t + "` does not exist in the model vocabulary. Replacing with `"
                        + tok.idToToken(id) + "`.");
            }
            ids[n++] = id;
        }
        if (n == 0) throw new IllegalArgumentException("At least one target must be provided when passed.");
        return new Targets(PySet.order(Arrays.copyOf(ids, n)), warnings);
    }

    private static int[] positions(int[] ids, int id) {
        return java.util.stream.IntStream.range(0, ids.length).filter(i -> ids[i] == id).toArray();
    }

    private static String where(List<String> texts, int i) {
        return texts.size() == 1 ? "" : "input " + i + ": ";
    }

    // ------------------------------------------------------------------ Hugging Face JSON

    /**
     * A call as the pipeline (and the Inference API) takes it.
     *
     * @param texts   the inputs
     * @param list    whether {@code inputs} was a list (a list of one still unwraps, as in transformers)
     * @param options top_k and targets
     */
    public record HfRequest(List<String> texts, boolean list, Options options) {
        public HfRequest {
            texts = List.copyOf(texts);
        }

        /**
         * Parses {@code inputs} (a string or a list of strings) and {@code parameters}
         * ({@code top_k}, {@code targets}: a string or a list of strings; null or absent: defaults).
         */
        public static HfRequest parse(JsonNode inputs, JsonNode parameters) {
            return parse(inputs, parameters, Options.defaults());
        }

        /** {@link #parse(JsonNode, JsonNode)} with other defaults for absent parameters. */
        public static HfRequest parse(JsonNode inputs, JsonNode parameters, Options defaults) {
            List<String> texts = new ArrayList<>();
            boolean list;
            if (inputs != null && inputs.isTextual()) {
                texts.add(inputs.asText());
                list = false;
            } else if (inputs != null && inputs.isArray() && !inputs.isEmpty()) {
                for (JsonNode n : inputs) {
                    if (!n.isTextual()) throw new IllegalArgumentException("fill-mask inputs must be strings, got " + n);
                    texts.add(n.asText());
                }
                list = true;
            } else {
                throw new IllegalArgumentException("fill-mask \"inputs\" must be a string or a non-empty list of strings");
            }
            Options o = defaults;
            if (parameters != null && !parameters.isNull()) {
                if (!parameters.isObject()) throw new IllegalArgumentException("\"parameters\" must be an object");
                for (var it = parameters.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!k.equals("top_k") && !k.equals("targets")) {
                        throw new IllegalArgumentException("unknown fill-mask parameter \"" + k + "\" (top_k, targets)");
                    }
                }
                JsonNode k = parameters.get("top_k");
                if (k != null && !k.isNull()) {
                    if (!k.isIntegralNumber() || !k.canConvertToInt()) throw new IllegalArgumentException("top_k must be an integer, got " + k);
                    o = o.withTopK(k.asInt());
                }
                JsonNode t = parameters.get("targets");
                if (t != null && !t.isNull()) {
                    List<String> targets = new ArrayList<>();
                    if (t.isTextual()) {
                        targets.add(t.asText());
                    } else if (t.isArray()) {
                        for (JsonNode x : t) {
                            if (!x.isTextual()) throw new IllegalArgumentException("targets must be strings, got " + x);
                            targets.add(x.asText());
                        }
                    } else {
                        throw new IllegalArgumentException("targets must be a string or a list of strings, got " + t);
                    }
                    if (targets.isEmpty()) throw new IllegalArgumentException("At least one target must be provided when passed.");
                    o = o.withTargets(targets);
                }
            }
            return new HfRequest(texts, list, o);
        }
    }

    /** Runs a request and renders it as the pipeline returns it. */
    public JsonNode callHf(HfRequest request) {
        return toHfJson(request.list(), predictBatch(request.texts(), request.options()));
    }

    /** {@code pipeline(inputs, **parameters)} in JSON. */
    public JsonNode callHf(JsonNode inputs, JsonNode parameters) {
        return callHf(HfRequest.parse(inputs, parameters));
    }

    /**
     * The pipeline's output shape: per input a list of {@code {score, token, token_str, sequence}}
     * (one mask) or a list of such lists (several masks); a list of those for list inputs, except
     * that a list of one input gives that input's result alone.
     */
    public static JsonNode toHfJson(boolean listInput, List<Result> results) {
        if (!listInput || results.size() == 1) {
            if (results.size() != 1) throw new IllegalArgumentException("a single input has one result, got " + results.size());
            return toHfJson(results.get(0));
        }
        ArrayNode a = HfJson.array();
        for (Result r : results) a.add(toHfJson(r));
        return a;
    }

    /** One input's result: a list of predictions (one mask) or a list of lists. */
    public static JsonNode toHfJson(Result r) {
        if (r.singleMask()) return predictions(r.first());
        ArrayNode a = HfJson.array();
        for (List<Prediction> m : r.masks()) a.add(predictions(m));
        return a;
    }

    private static ArrayNode predictions(List<Prediction> ps) {
        ArrayNode a = HfJson.array();
        for (Prediction p : ps) {
            ObjectNode o = a.addObject();
            o.set("score", HfJson.score(p.score()));
            o.put("token", p.token());
            o.put("token_str", p.tokenStr());
            o.put("sequence", p.sequence());
        }
        return a;
    }
}
