package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.model.Tensor;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.TruncationStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Hugging Face's {@code pipeline("text-classification")} (transformers 4.28): label scores for a text
 * or a text pair, with {@code function_to_apply} and {@code top_k} as there.
 *
 * <p>The model's default function is the pipeline's: sigmoid for {@code multi_label_classification}
 * or a single label, softmax for {@code single_label_classification} or several labels. Scores are
 * float32. Inputs are not truncated unless asked ({@link Options#truncation()}), as in transformers;
 * a text longer than the model is then an error.
 *
 * <p>Immutable and thread-safe.
 */
public final class TextClassification {
    /** What turns logits into scores ({@code function_to_apply}). */
    public enum Function {
        SOFTMAX, SIGMOID, NONE;

        /** "softmax", "sigmoid" or "none", any case. */
        public static Function parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("function_to_apply must be softmax, sigmoid or none, not \"" + s + "\"");
            }
        }

        public String hfName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A label and its score. */
    public record LabelScore(String label, float score) {}

    /** A text, or a text pair (premise/hypothesis, question/passage) when {@code textPair} is not null. */
    public record Input(String text, String textPair) {
        public Input {
            if (text == null) throw new IllegalArgumentException("text is null");
        }

        public static Input of(String text) {
            return new Input(text, null);
        }

        public static Input pair(String text, String textPair) {
            return new Input(text, textPair);
        }
    }

    /** {@link Options#topK()} for every label. */
    public static final int ALL = Integer.MAX_VALUE;

    /**
     * How to classify.
     *
     * @param function   null = the model's default (see the class comment)
     * @param topK       labels per input, best first ({@link #ALL} for all); Hugging Face's default is 1
     * @param truncation cut inputs longer than the model (longest first for pairs) instead of failing
     * @param maxLength  the length to truncate to; 0 = the model's maximum
     */
    public record Options(Function function, int topK, boolean truncation, int maxLength) {
        public Options {
            if (topK < 1) throw new IllegalArgumentException("top_k must be at least 1, got " + topK);
            if (maxLength < 0) throw new IllegalArgumentException("max_length must be >= 0, got " + maxLength);
        }

        public static Options defaults() {
            return new Options(null, 1, false, 0);
        }

        public Options withFunction(Function f) {
            return new Options(f, topK, truncation, maxLength);
        }

        public Options withTopK(int k) {
            return new Options(function, k, truncation, maxLength);
        }

        public Options withTruncation(boolean t) {
            return new Options(function, topK, t, maxLength);
        }

        public Options withMaxLength(int n) {
            return new Options(function, topK, truncation, n);
        }
    }

    public static final int DEFAULT_BATCH_SIZE = 8;

    private final PipelineModel model;
    private final int batchSize;

    public TextClassification(PipelineModel model) {
        this(model, DEFAULT_BATCH_SIZE);
    }

    public TextClassification(PipelineModel model, int batchSize) {
        if (model.model().headType() != HeadType.SEQUENCE_CLASSIFICATION) {
            throw new IllegalArgumentException(model.dir() + ": text classification needs a sequence-classification head "
                    + "(*ForSequenceClassification), this model has " + model.model().headType());
        }
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        this.model = model;
        this.batchSize = batchSize;
    }

    public static TextClassification load(Path dir) {
        return new TextClassification(PipelineModel.load(dir));
    }

    public PipelineModel model() {
        return model;
    }

    /** id2label, in id order. */
    public List<String> labels() {
        return model.model().config().labels();
    }

    /** The function the pipeline applies when none is given. */
    public Function defaultFunction() {
        ModelConfig c = model.model().config();
        if ("multi_label_classification".equals(c.problemType()) || c.numLabels() == 1) return Function.SIGMOID;
        return Function.SOFTMAX; // "single_label_classification", or several labels
    }

    public List<LabelScore> classify(String text) {
        return classify(Input.of(text), Options.defaults());
    }

    public List<LabelScore> classify(String text, Options options) {
        return classify(Input.of(text), options);
    }

    public List<LabelScore> classify(Input input, Options options) {
        return classifyBatch(List.of(input), options).get(0);
    }

    /** Scores for several inputs (batched forward passes); per input the {@code topK} best labels, best first. */
    public List<List<LabelScore>> classifyBatch(List<Input> inputs, Options options) {
        return classifyPrepared(prepare(inputs, options), options);
    }

    /** Every label's score, in label-id order (what {@code return_all_scores=True} returns). */
    public List<List<LabelScore>> scoresInLabelOrder(List<Input> inputs, Options options) {
        return scoresInLabelOrderPrepared(prepare(inputs, options), options);
    }

    /** One input tokenised (and truncated, when the options say so) for the model. */
    public record Prepared(Input input, int[] ids, int[] typeIds) implements PreparedInput {
        public Prepared {
            ids = ids.clone();
            typeIds = typeIds == null ? null : typeIds.clone();
        }

        @Override
        public int tokens() {
            return ids.length;
        }

    }

    /**
     * Tokenises inputs with the options' truncation and maximum length, for {@link #classifyPrepared}
     * and {@link #scoresInLabelOrderPrepared}.
     *
     * @throws IllegalArgumentException for an input longer than the model without truncation
     */
    public List<Prepared> prepare(List<Input> inputs, Options options) {
        int max = options.maxLength() > 0 ? options.maxLength() : model.maxLength();
        EncodeOptions enc = options.truncation()
                ? EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, max)
                : EncodeOptions.DEFAULT;
        List<Prepared> out = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            // only the first window is classified: a long text is tokenised only that far
            Encoding e = model.tokenizer().encodeFirstWindow(in.text(), in.textPair(), enc).encoding();
            if (e.length() > model.maxLength()) {
                throw new IllegalArgumentException((inputs.size() == 1 ? "" : "input " + i + ": ") + "input is " + e.length()
                        + " tokens, more than the model's maximum of " + model.maxLength() + "; truncate it (truncation=true)");
            }
            out.add(new Prepared(in, e.ids(), e.typeIds()));
        }
        return out;
    }

    /** {@link #classifyBatch} on prepared inputs: per input the {@code topK} best labels, best first. */
    public List<List<LabelScore>> classifyPrepared(List<Prepared> inputs, Options options) {
        List<List<LabelScore>> all = scoresInLabelOrderPrepared(inputs, options);
        List<List<LabelScore>> out = new ArrayList<>(all.size());
        for (List<LabelScore> s : all) out.add(ranked(s, options.topK()));
        return out;
    }

    /** {@link #scoresInLabelOrder} on prepared inputs (the options' function applies; truncation was applied when preparing). */
    public List<List<LabelScore>> scoresInLabelOrderPrepared(List<Prepared> inputs, Options options) {
        Function fn = options.function() != null ? options.function() : defaultFunction();
        List<Batches.Sequence> seqs = new ArrayList<>(inputs.size());
        for (Prepared p : inputs) seqs.add(new Batches.Sequence(p.ids, p.typeIds));
        List<String> labels = labels();
        @SuppressWarnings("unchecked")
        List<LabelScore>[] results = new List[inputs.size()];
        Batches.run(model, seqs, batchSize, labels.size(), (input, out, row, length) -> {
            Tensor logits = out.logits();
            int n = logits.dim(1);
            float[] x = new float[n];
            System.arraycopy(logits.data(), row * n, x, 0, n);
            float[] s = switch (fn) {
                case SOFTMAX -> Scores.softmax(x, 0, n);
                case SIGMOID -> {
                    float[] y = new float[n];
                    for (int i = 0; i < n; i++) y[i] = Scores.sigmoid(x[i]);
                    yield y;
                }
                case NONE -> x;
            };
            List<LabelScore> ls = new ArrayList<>(n);
            for (int i = 0; i < n; i++) ls.add(new LabelScore(i < labels.size() ? labels.get(i) : "LABEL_" + i, s[i]));
            results[input] = List.copyOf(ls);
        });
        return List.of(results);
    }

    /** Best first (a stable sort, as Python's), the first {@code k}. */
    private static List<LabelScore> ranked(List<LabelScore> s, int k) {
        List<LabelScore> r = new ArrayList<>(s);
        r.sort(Comparator.comparingDouble((LabelScore l) -> l.score()).reversed());
        return List.copyOf(r.subList(0, Math.min(k, r.size())));
    }

    // ------------------------------------------------------------------ Hugging Face JSON

    /** The form of the {@code inputs} of a pipeline call: it decides the nesting of the output. */
    public enum InputForm {
        /** a str: without {@code top_k} the result is wrapped in a list ({@code [{label, score}]}) */
        TEXT,
        /** a {@code {"text", "text_pair"}} dict: the bare result */
        PAIR,
        /** a list of str and/or dicts: a list of results */
        LIST
    }

    /**
     * A call as the pipeline (and the Inference API) takes it.
     *
     * @param inputs     the inputs
     * @param form       what {@code inputs} was
     * @param options    function, top_k and truncation as resolved from the parameters
     * @param legacy     {@code top_k} was not given: a single best label renders as a bare dict
     * @param labelOrder {@code return_all_scores=True} (without top_k): all scores, in label order
     */
    public record HfRequest(List<Input> inputs, InputForm form, Options options, boolean legacy, boolean labelOrder) {
        public HfRequest {
            inputs = List.copyOf(inputs);
        }

        /**
         * Parses {@code inputs} (a str, a {@code {"text", "text_pair"}} object, or a list of them) and
         * {@code parameters}: {@code top_k} (an int, or null for all labels), {@code function_to_apply},
         * {@code return_all_scores}, and the tokenizer's {@code truncation} and {@code max_length}.
         */
        public static HfRequest parse(JsonNode inputs, JsonNode parameters) {
            List<Input> list = new ArrayList<>();
            InputForm form;
            if (inputs == null || inputs.isNull()) {
                throw new IllegalArgumentException("text-classification needs \"inputs\"");
            } else if (inputs.isTextual()) {
                form = InputForm.TEXT;
                list.add(Input.of(inputs.asText()));
            } else if (inputs.isObject()) {
                form = InputForm.PAIR;
                list.add(pair(inputs));
            } else if (inputs.isArray() && !inputs.isEmpty()) {
                form = InputForm.LIST;
                for (JsonNode n : inputs) {
                    if (n.isTextual()) {
                        list.add(Input.of(n.asText()));
                    } else if (n.isObject()) {
                        list.add(pair(n));
                    } else {
                        throw new IllegalArgumentException("The pipeline received invalid inputs, if you are trying to send text "
                                + "pairs, you can try to send a dictionary `{\"text\": \"My text\", \"text_pair\": \"My pair\"}` "
                                + "in order to send a text pair.");
                    }
                }
            } else {
                throw new IllegalArgumentException("text-classification \"inputs\" must be a string, a {\"text\", \"text_pair\"} "
                        + "object or a non-empty list of them");
            }
            Options o = Options.defaults();
            boolean legacy = true;
            boolean labelOrder = false;
            if (parameters != null && !parameters.isNull()) {
                if (!parameters.isObject()) throw new IllegalArgumentException("\"parameters\" must be an object");
                for (var it = parameters.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!List.of("top_k", "function_to_apply", "return_all_scores", "truncation", "max_length", "padding").contains(k)) {
                        throw new IllegalArgumentException("unknown text-classification parameter \"" + k
                                + "\" (top_k, function_to_apply, return_all_scores, truncation, max_length)");
                    }
                }
                if (parameters.has("top_k")) {
                    legacy = false;
                    JsonNode k = parameters.get("top_k");
                    if (k.isNull()) {
                        o = o.withTopK(ALL);
                    } else if (k.isIntegralNumber() && k.canConvertToInt()) {
                        o = o.withTopK(k.asInt());
                    } else {
                        throw new IllegalArgumentException("top_k must be an integer or null, got " + k);
                    }
                } else if (parameters.has("return_all_scores") && !parameters.get("return_all_scores").isNull()) {
                    JsonNode r = parameters.get("return_all_scores");
                    if (!r.isBoolean()) throw new IllegalArgumentException("return_all_scores must be true or false, got " + r);
                    if (r.asBoolean()) {
                        o = o.withTopK(ALL);
                        labelOrder = true;
                    }
                }
                JsonNode f = parameters.get("function_to_apply");
                if (f != null && !f.isNull()) {
                    if (!f.isTextual()) throw new IllegalArgumentException("function_to_apply must be a string, got " + f);
                    o = o.withFunction(Function.parse(f.asText()));
                }
                JsonNode t = parameters.get("truncation");
                if (t != null && !t.isNull()) {
                    if (t.isBoolean()) {
                        o = o.withTruncation(t.asBoolean());
                    } else if (t.isTextual() && t.asText().equals("longest_first")) {
                        o = o.withTruncation(true);
                    } else if (t.isTextual() && t.asText().equals("do_not_truncate")) {
                        o = o.withTruncation(false);
                    } else {
                        throw new IllegalArgumentException("truncation must be true, false, \"longest_first\" or \"do_not_truncate\", got " + t);
                    }
                }
                JsonNode m = parameters.get("max_length");
                if (m != null && !m.isNull()) {
                    if (!m.isIntegralNumber() || !m.canConvertToInt() || m.asInt() < 1) {
                        throw new IllegalArgumentException("max_length must be a positive integer, got " + m);
                    }
                    o = o.withMaxLength(m.asInt());
                }
            }
            return new HfRequest(list, form, o, legacy, labelOrder);
        }

        private static Input pair(JsonNode o) {
            for (var it = o.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("text") && !k.equals("text_pair")) {
                    throw new IllegalArgumentException("a text pair is {\"text\": ..., \"text_pair\": ...}; unexpected key \"" + k + "\"");
                }
            }
            JsonNode t = o.get("text");
            if (t == null || !t.isTextual()) throw new IllegalArgumentException("a text pair needs a string \"text\"");
            JsonNode p = o.get("text_pair");
            if (p != null && !p.isNull() && !p.isTextual()) throw new IllegalArgumentException("\"text_pair\" must be a string");
            return new Input(t.asText(), p == null || p.isNull() ? null : p.asText());
        }
    }

    /** Runs a request and renders the result as the pipeline returns it. */
    public JsonNode callHf(HfRequest request) {
        List<List<LabelScore>> results = request.labelOrder()
                ? scoresInLabelOrder(request.inputs(), request.options())
                : classifyBatch(request.inputs(), request.options());
        return toHfJson(request, results);
    }

    /** {@code pipeline(inputs, **parameters)} in JSON. */
    public JsonNode callHf(JsonNode inputs, JsonNode parameters) {
        return callHf(HfRequest.parse(inputs, parameters));
    }

    /**
     * The pipeline's nesting: per input a bare {@code {label, score}} when {@code top_k} was not
     * given and one label is returned, else a list; a list of those for list inputs; a single str
     * input without {@code top_k} is wrapped in one more list.
     */
    public static JsonNode toHfJson(HfRequest request, List<List<LabelScore>> results) {
        if (results.size() != request.inputs().size()) {
            throw new IllegalArgumentException(request.inputs().size() + " inputs but " + results.size() + " results");
        }
        List<JsonNode> items = new ArrayList<>();
        for (List<LabelScore> r : results) {
            if (request.legacy() && !request.labelOrder() && r.size() == 1) {
                items.add(labelScore(r.get(0)));
            } else {
                ArrayNode a = HfJson.array();
                r.forEach(ls -> a.add(labelScore(ls)));
                items.add(a);
            }
        }
        if (request.form() == InputForm.LIST) {
            ArrayNode a = HfJson.array();
            items.forEach(a::add);
            return a;
        }
        JsonNode one = items.get(0);
        if (request.form() == InputForm.TEXT && request.legacy()) {
            ArrayNode a = HfJson.array();
            a.add(one);
            return a;
        }
        return one;
    }

    private static ObjectNode labelScore(LabelScore ls) {
        ObjectNode o = HfJson.object();
        o.put("label", ls.label());
        o.set("score", HfJson.score(ls.score()));
        return o;
    }
}
