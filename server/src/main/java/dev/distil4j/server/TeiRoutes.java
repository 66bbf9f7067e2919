package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.TextClassification;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Side;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * text-embeddings-inference's routes, for the first model served: {@code /embed}, {@code /embed_all},
 * {@code /embed_sparse}, {@code /predict}, {@code /rerank}, {@code /similarity}, {@code /tokenize},
 * {@code /decode}, {@code /info}, and the health checks {@code /health}, {@code /ping}, {@code GET /}.
 * Shapes, defaults and status codes follow TEI's router; a model that cannot serve a route answers
 * 424 with TEI's message.
 */
final class TeiRoutes {
    private final ServedModels models;
    private final ServerOptions options;
    private final Requests requests;
    private final HttpApi api;

    TeiRoutes(ServedModels models, ServerOptions options, Requests requests, HttpApi api) {
        this.models = models;
        this.options = options;
        this.requests = requests;
        this.api = api;
    }

    void register() {
        api.route("POST", "/embed", "embed", this::embed);
        api.route("POST", "/embed_all", "embed_all", this::embedAll);
        api.route("POST", "/embed_sparse", "embed_sparse", this::embedSparse);
        api.route("POST", "/predict", "predict", this::predict);
        api.route("POST", "/rerank", "rerank", this::rerank);
        api.route("POST", "/similarity", "similarity", this::similarity);
        api.route("POST", "/tokenize", "tokenize", this::tokenize);
        api.route("POST", "/decode", "decode", this::decode);
        api.route("GET", "/info", "info", c -> HttpApi.Reply.json(info()));
        api.route("GET", "/health", "health", HttpApi.Access.OPEN, this::health);
        api.route("GET", "/ping", "ping", HttpApi.Access.OPEN, this::health);
        api.route("GET", "/", "health", HttpApi.Access.OPEN, this::health);
    }

    /** {@code POST /} on TEI: the route that the model's type serves. */
    HttpApi.Reply compat(HttpApi.Call c) {
        return switch (models.first().kind()) {
            case CLASSIFIER -> predict(c);
            case RERANKER -> rerank(c);
            case EMBEDDING, OTHER -> embed(c);
        };
    }

    HttpApi.Reply embed(HttpApi.Call c) {
        ServedModel m = models.first();
        ObjectNode body = c.json();
        List<String> texts = Requests.strings(body.get("inputs"), "inputs");
        requests.checkCount(texts.size());
        SentenceRequest r = SentenceRequest.parse(body, texts, m, true, requests);
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (float[] v : r.run(m, requests, c.disconnected())) out.add(Embeddings.vector(v));
        return HttpApi.Reply.json(out);
    }

    private HttpApi.Reply embedAll(HttpApi.Call c) {
        ServedModel m = models.first();
        ObjectNode body = c.json();
        List<String> texts = Requests.strings(body.get("inputs"), "inputs");
        requests.checkCount(texts.size());
        Requests.noPrompt(body);
        Side side = Requests.side(body);
        List<Embeddings.Prepared> p = m.rawEmbeddings(side).prepareTokens(texts);
        requests.checkLengths(m, p, Embeddings.Prepared::fullLength, Requests.bool(body, "truncate", options.autoTruncate()));
        requests.checkWork(p);
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (Object v : m.run(new Op.TokensOp(side), p, c.disconnected())) {
            ArrayNode seq = out.addArray();
            for (Embeddings.TokenEmbedding e : Routes.<List<Embeddings.TokenEmbedding>>cast(v)) seq.add(Embeddings.vector(e.vector()));
        }
        return HttpApi.Reply.json(out);
    }

    /** SPLADE vectors as {@code [[{"index", "value"}, ...]]}, non-zero entries only; needs a masked-language-model head. */
    private HttpApi.Reply embedSparse(HttpApi.Call c) {
        ServedModel m = models.first();
        if (!Splade.supports(m.pipelineModel())) {
            throw ApiException.unsupported("Model is not an embedding model with SPLADE pooling (model " + m.id() + " serves "
                    + m.task().hfName() + "; SPLADE needs a fill-mask model)");
        }
        ObjectNode body = c.json();
        List<String> texts = Requests.strings(body.get("inputs"), "inputs");
        requests.checkCount(texts.size());
        Requests.noPrompt(body);
        requests.checkTextLengths(m, texts, Requests.bool(body, "truncate", options.autoTruncate()));
        Side side = Requests.side(body);
        List<Splade.Prepared> p = Splade.prepare(m.headModel(side), texts, m.maxInputLength());
        requests.checkWork(p);
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (Object v : m.run(new Op.SpladeOp(side), p, c.disconnected())) {
            ArrayNode sparse = out.addArray();
            float[] dense = (float[]) v;
            for (int i = 0; i < dense.length; i++) {
                if (dense[i] != 0) sparse.addObject().put("index", i).set("value", FloatNode.valueOf(dense[i]));
            }
        }
        return HttpApi.Reply.json(out);
    }

    /**
     * TEI's {@code /predict}: {@code inputs} is a text, a {@code [text]} or {@code [text, pair]} (one
     * input: one list of labels), or a batch {@code [[text], [text, pair], ...]} (a list per input).
     * Every label, best first: softmax over several labels, sigmoid for one, or raw with {@code raw_scores}.
     */
    HttpApi.Reply predict(HttpApi.Call c) {
        ServedModel m = models.first();
        if (m.kind() != ServedModel.Kind.CLASSIFIER && m.kind() != ServedModel.Kind.RERANKER) {
            throw ApiException.unsupported("Model is not a classifier model (model " + m.id() + " serves " + m.task().hfName() + ")");
        }
        ObjectNode body = c.json();
        JsonNode inputs = body.get("inputs");
        if (inputs == null || inputs.isNull()) throw ApiException.empty("the request has no \"inputs\"");
        List<TextClassification.Input> in = new ArrayList<>();
        boolean batch = inputs.isArray() && !inputs.isEmpty() && inputs.get(0).isArray();
        if (inputs.isTextual()) {
            in.add(TextClassification.Input.of(inputs.asText()));
        } else if (inputs.isArray() && inputs.isEmpty()) {
            throw ApiException.empty("\"inputs\" cannot be empty");
        } else if (batch) {
            for (JsonNode n : inputs) in.add(sequence(n));
        } else if (inputs.isArray()) {
            in.add(sequence(inputs));
        } else {
            throw ApiException.validation(PREDICT_INPUTS + ", got " + inputs.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        requests.checkCount(in.size());
        boolean truncate = Requests.bool(body, "truncate", options.autoTruncate());
        var opts = TextClassification.Options.defaults().withTopK(TextClassification.ALL).withTruncation(truncate)
                .withMaxLength(m.maxInputLength()).withFunction(teiFunction(m, Requests.bool(body, "raw_scores", false)));
        List<Object> res = classify(m, in, opts, false, Requests.side(body), truncate, c);
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (Object r : res) {
            ArrayNode one = out.addArray();
            for (TextClassification.LabelScore ls : Routes.<List<TextClassification.LabelScore>>cast(r)) {
                one.addObject().put("label", ls.label()).set("score", FloatNode.valueOf(ls.score()));
            }
        }
        return HttpApi.Reply.json(batch ? out : out.get(0));
    }

    /**
     * Classifies on the request's thread as far as tokens: refuses over-long inputs unless {@code truncate}
     * and requests over the work limits, then runs the model through the batcher.
     */
    private List<Object> classify(ServedModel m, List<TextClassification.Input> in, TextClassification.Options opts,
                                  boolean labelOrder, Side side, boolean truncate, HttpApi.Call c) {
        requests.checkLengths(m, in, (i, atMost) -> m.tokens(i.text(), i.textPair(), atMost), truncate);
        List<TextClassification.Prepared> p = m.classifier(side).prepare(in, opts);
        requests.checkWork(p);
        return m.run(new Op.ClassifyOp(opts, labelOrder, side), p, c.disconnected());
    }

    private static final String PREDICT_INPUTS = "\"inputs\" must be a string, a pair of strings [text, text_pair], "
            + "or a batch of single strings and pairs [[text], [text, text_pair], ...]";

    /** {@code [text]} or {@code [text, pair]}. */
    private static TextClassification.Input sequence(JsonNode n) {
        if (n.isArray() && (n.size() == 1 || n.size() == 2)) {
            for (JsonNode s : n) if (!s.isTextual()) throw ApiException.validation(PREDICT_INPUTS + "; got " + n);
            return n.size() == 1 ? TextClassification.Input.of(n.get(0).asText())
                    : TextClassification.Input.pair(n.get(0).asText(), n.get(1).asText());
        }
        throw ApiException.validation(PREDICT_INPUTS + "; " + (n.isArray() ? "a list of " + n.size() + " strings is neither" : "got " + n));
    }

    /** TEI's scores: softmax over several labels, sigmoid for one (whatever the config's problem type), raw logits on request. */
    private static TextClassification.Function teiFunction(ServedModel m, boolean raw) {
        if (raw) return TextClassification.Function.NONE;
        return m.labels().size() == 1 ? TextClassification.Function.SIGMOID : TextClassification.Function.SOFTMAX;
    }

    /**
     * TEI's {@code /rerank}: a cross-encoder (a classifier with one label) scores each
     * {@code (query, text)} pair; ranks best first as {@code [{"index", "score"[, "text"]}]}. Other
     * models answer 424, embedding models included, as TEI does.
     */
    HttpApi.Reply rerank(HttpApi.Call c) {
        ServedModel m = models.first();
        ObjectNode body = c.json();
        JsonNode query = body.get("query");
        if (query == null || !query.isTextual()) throw ApiException.validation("\"query\" must be a string");
        JsonNode textsNode = body.get("texts");
        if (textsNode == null || !textsNode.isArray()) throw ApiException.validation("\"texts\" must be a list of strings");
        List<String> texts = Requests.strings(textsNode, "texts");
        if (m.kind() != ServedModel.Kind.RERANKER) {
            throw ApiException.unsupported("model is not a re-ranker model (model " + m.id() + " serves " + m.task().hfName()
                    + (m.kind() == ServedModel.Kind.CLASSIFIER ? " with " + m.labels().size() + " labels" : "")
                    + "; a re-ranker is a sequence classifier with one label)");
        }
        requests.checkCount(texts.size());
        List<TextClassification.Input> in = new ArrayList<>();
        for (String t : texts) in.add(TextClassification.Input.pair(query.asText(), t));
        boolean truncate = Requests.bool(body, "truncate", options.autoTruncate());
        var opts = TextClassification.Options.defaults().withTruncation(truncate).withMaxLength(m.maxInputLength())
                .withFunction(teiFunction(m, Requests.bool(body, "raw_scores", false)));
        List<Object> res = classify(m, in, opts, true, Requests.side(body), truncate, c);
        record Rank(int index, float score) {}
        List<Rank> ranks = new ArrayList<>();
        for (int i = 0; i < res.size(); i++) {
            ranks.add(new Rank(i, Routes.<List<TextClassification.LabelScore>>cast(res.get(i)).get(0).score()));
        }
        ranks.sort(Comparator.comparingDouble((Rank r) -> r.score).reversed());
        boolean returnText = Requests.bool(body, "return_text", false);
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (Rank r : ranks) {
            ObjectNode o = out.addObject().put("index", r.index);
            if (returnText) o.put("text", texts.get(r.index));
            o.set("score", FloatNode.valueOf(r.score));
        }
        return HttpApi.Reply.json(out);
    }

    /** TEI's {@code /similarity} (the Inference API's sentence-similarity input): cosine of each sentence with the source. */
    private HttpApi.Reply similarity(HttpApi.Call c) {
        ObjectNode body = c.json();
        return HttpApi.Reply.json(similarity(models.first(), body.get("inputs"), body.get("parameters"), c));
    }

    /** {@code inputs: {"source_sentence", "sentences"}} with TEI's {@code parameters} (truncate, truncation_direction). */
    JsonNode similarity(ServedModel m, JsonNode inputs, JsonNode params, HttpApi.Call c) {
        if (inputs == null || !inputs.isObject()) {
            throw ApiException.validation("\"inputs\" must be {\"source_sentence\": str, \"sentences\": [str, ...]}");
        }
        JsonNode source = inputs.get("source_sentence");
        if (source == null || !source.isTextual()) throw ApiException.validation("\"inputs.source_sentence\" must be a string");
        JsonNode sentences = inputs.get("sentences");
        if (sentences == null || !sentences.isArray()) throw ApiException.validation("\"inputs.sentences\" must be a list of strings");
        List<String> texts = new ArrayList<>();
        texts.add(source.asText());
        texts.addAll(Requests.strings(sentences, "inputs.sentences"));
        requests.checkCount(texts.size());
        if (params != null && !params.isNull() && !params.isObject()) throw ApiException.validation("\"parameters\" must be an object");
        Requests.noPrompt(params);
        SentenceRequest r = new SentenceRequest(texts, false, null, Requests.bool(params, "truncate", options.autoTruncate()),
                Requests.side(params));
        List<float[]> v = r.run(m, requests, c.disconnected());
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (int i = 1; i < v.size(); i++) out.add(FloatNode.valueOf(Vectors.cosine(v.get(0), v.get(i))));
        return out;
    }

    /**
     * Tokens with TEI's offsets: {@code start}/{@code stop} are UTF-8 byte offsets into the input and
     * {@code text} is the input's slice (TEI returns the Rust tokenizer's byte offsets); special
     * tokens have null offsets and their token as text.
     */
    private HttpApi.Reply tokenize(HttpApi.Call c) {
        ServedModel m = models.first();
        ObjectNode body = c.json();
        List<String> texts = Requests.strings(body.get("inputs"), "inputs");
        requests.checkCount(texts.size());
        Requests.noPrompt(body);
        EncodeOptions eo = EncodeOptions.DEFAULT.withAddSpecialTokens(Requests.bool(body, "add_special_tokens", true));
        // the answer has an entry per token: bounded as the tokens of any request, counted (no further than
        // one past the limit) before anything is kept
        String subject = texts.size() == 1 ? "the input has" : "the inputs have";
        int limit = requests.maxRequestTokens();
        long total = 0;
        for (String text : texts) {
            if (eo.addSpecialTokens()) total += m.tokenizer().numSpecialTokensToAdd(false);
            total += m.tokenizer().countTokens(text, (int) Math.max(0, limit + 1 - total));
            if (total > limit) requests.checkTokens(total, subject + " at least", "to list");
        }
        List<Encoding> encodings = new ArrayList<>(texts.size());
        for (String text : texts) encodings.add(m.tokenizer().encode(text, eo));
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (int n = 0; n < texts.size(); n++) {
            String text = texts.get(n);
            Encoding e = encodings.get(n);
            int[] bytes = utf8Offsets(text);
            ArrayNode toks = out.addArray();
            for (int i = 0; i < e.length(); i++) {
                ObjectNode o = toks.addObject();
                o.put("id", e.idAt(i));
                boolean special = e.specialTokenMaskAt(i) == 1;
                if (special) {
                    o.put("text", e.tokenAt(i));
                    o.put("special", true);
                    o.putNull("start");
                    o.putNull("stop");
                } else {
                    o.put("text", text.substring(e.startAt(i), e.endAt(i)));
                    o.put("special", false);
                    o.put("start", bytes[e.startAt(i)]);
                    o.put("stop", bytes[e.endAt(i)]);
                }
            }
        }
        return HttpApi.Reply.json(out);
    }

    /** {@code out[i]}: the UTF-8 byte offset of UTF-16 index {@code i} (for i = 0 .. length). */
    static int[] utf8Offsets(String s) {
        int[] out = new int[s.length() + 1];
        int b = 0;
        for (int i = 0; i < s.length(); i++) {
            out[i] = b;
            char ch = s.charAt(i);
            if (Character.isHighSurrogate(ch) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                out[++i] = b; // inside a pair: same byte offset as the pair's start
                b += 4;
            } else {
                b += ch < 0x80 ? 1 : ch < 0x800 ? 2 : 3;
            }
        }
        out[s.length()] = b;
        return out;
    }

    private HttpApi.Reply decode(HttpApi.Call c) {
        ServedModel m = models.first();
        ObjectNode body = c.json();
        JsonNode ids = body.get("ids");
        if (ids == null || ids.isNull()) throw ApiException.empty("the request has no \"ids\"");
        if (!ids.isArray()) throw ApiException.validation("\"ids\" must be a list of token ids, or a list of such lists");
        if (ids.isEmpty()) throw ApiException.empty("\"ids\" cannot be empty");
        boolean skip = Requests.bool(body, "skip_special_tokens", true);
        List<int[]> seqs = new ArrayList<>();
        if (ids.get(0).isArray()) {
            for (JsonNode s : ids) seqs.add(intList(s));
        } else {
            seqs.add(intList(ids));
        }
        requests.checkCount(seqs.size());
        ArrayNode out = HttpApi.JSON.createArrayNode();
        int vocab = m.tokenizer().vocabSize();
        for (int[] s : seqs) {
            for (int id : s) {
                if (id < 0 || id >= vocab) throw ApiException.validation("token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
            }
            out.add(m.tokenizer().decode(s, skip, true));
        }
        return HttpApi.Reply.json(out);
    }

    private static int[] intList(JsonNode a) {
        if (!a.isArray()) throw ApiException.validation("\"ids\" must hold integers, got " + a);
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).canConvertToInt() || !a.get(i).isIntegralNumber()) throw ApiException.validation("\"ids\" must hold integers, got " + a.get(i));
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    /** TEI's {@code /info} (its fields, with the first model's limits), plus the served models. */
    ObjectNode info() {
        ServedModel m = models.first();
        ObjectNode o = HttpApi.JSON.createObjectNode();
        o.put("model_id", m.id());
        o.putNull("model_sha");
        o.put("model_dtype", "float32");
        o.put("served_model_name", m.id());
        ObjectNode type = o.putObject("model_type");
        switch (m.kind()) {
            case CLASSIFIER, RERANKER -> {
                ObjectNode cls = type.putObject(m.kind() == ServedModel.Kind.RERANKER ? "reranker" : "classifier");
                ObjectNode id2label = cls.putObject("id2label");
                ObjectNode label2id = cls.putObject("label2id");
                List<String> labels = m.labels();
                for (int i = 0; i < labels.size(); i++) {
                    id2label.put(Integer.toString(i), labels.get(i));
                    label2id.put(labels.get(i), i);
                }
            }
            case EMBEDDING, OTHER -> type.putObject("embedding").put("pooling", m.pooling().name().toLowerCase(Locale.ROOT));
        }
        o.put("pipeline_tag", m.task().hfName());
        o.put("max_concurrent_requests", options.maxQueue());
        o.put("max_input_length", m.maxInputLength());
        o.put("max_batch_tokens", options.maxBatchTokens());
        o.put("max_batch_requests", options.maxBatchSize());
        o.put("max_client_batch_size", options.maxClientBatch());
        o.put("auto_truncate", options.autoTruncate());
        o.put("tokenization_workers", 1);
        o.put("version", "distil4j-0.1.0");
        o.putNull("sha");
        o.putNull("docker_label");
        ArrayNode served = o.putArray("models");
        models.all().forEach(s -> served.addObject().put("id", s.id()).put("pipeline_tag", s.task().hfName())
                .put("max_input_length", s.maxInputLength()));
        return o;
    }

    /** 200 with an empty body when every model is ready, as TEI; 503 while loading or draining. */
    private HttpApi.Reply health(HttpApi.Call c) {
        if (api.state() != HttpApi.State.READY) {
            throw ApiException.unhealthy(api.state() == HttpApi.State.LOADING ? "the models are loading" : "the server is shutting down");
        }
        return HttpApi.Reply.empty();
    }
}
