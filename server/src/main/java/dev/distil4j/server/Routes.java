package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.FillMask;
import dev.distil4j.pipeline.QuestionAnswering;
import dev.distil4j.pipeline.Task;
import dev.distil4j.pipeline.TextClassification;
import dev.distil4j.pipeline.TokenClassification;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routes: Hugging Face's Inference API ({@code POST /models/{id}}), text-embeddings-inference
 * ({@code /embed}, {@code /embed_all}, {@code /predict}, {@code /tokenize}, {@code /decode},
 * {@code /info}, {@code /health}), OpenAI's {@code /v1/embeddings}, and {@code /metrics}.
 * TEI routes answer for the first model served; OpenAI's picks by {@code model}.
 */
final class Routes {
    private final Map<String, ServedModel> models;
    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final HttpApi api;

    Routes(Map<String, ServedModel> models, ServerOptions options, ServerMetrics metrics, HttpApi api) {
        this.models = new LinkedHashMap<>(models);
        this.options = options;
        this.metrics = metrics;
        this.api = api;
    }

    void register() {
        api.routePrefix("POST", "/models/", "inference_api", this::inference);
        api.route("POST", "/embed", "embed", this::embed);
        api.route("POST", "/embed_all", "embed_all", this::embedAll);
        api.route("POST", "/predict", "predict", this::predict);
        api.route("POST", "/tokenize", "tokenize", this::tokenize);
        api.route("POST", "/decode", "decode", this::decode);
        api.route("GET", "/info", "info", c -> HttpApi.Reply.json(info()));
        api.route("GET", "/health", "health", true, this::health);
        api.route("POST", "/v1/embeddings", "openai_embeddings", this::openAi);
        api.route("GET", "/metrics", "metrics", c -> HttpApi.Reply.text(ServerMetrics.CONTENT_TYPE, metrics.scrape()));
    }

    // ------------------------------------------------------------------ Inference API

    private HttpApi.Reply inference(HttpApi.Call c) {
        ServedModel m = models.get(c.tail());
        if (m == null) throw ApiException.notFound("model \"" + c.tail() + "\" is not served here (served: " + models.keySet() + ")");
        ObjectNode body = c.json();
        JsonNode inputs = body.get("inputs");
        if (inputs == null || inputs.isNull()) throw ApiException.empty("the request has no \"inputs\"");
        JsonNode params = body.get("parameters");
        JsonNode out = switch (m.task()) {
            case FILL_MASK -> {
                var r = FillMask.HfRequest.parse(inputs, params);
                List<Object> res = m.run(new Op.FillMaskOp(r.options()), r.texts(), tokens(m, r.texts()), c.disconnected());
                yield FillMask.toHfJson(r.list(), cast(res));
            }
            case TEXT_CLASSIFICATION -> {
                var r = TextClassification.HfRequest.parse(inputs, params);
                checkCount(r.inputs().size());
                int[] t = r.inputs().stream().mapToInt(i -> m.tokens(i.text(), i.textPair())).toArray();
                List<Object> res = m.run(new Op.ClassifyOp(r.options(), r.labelOrder()), r.inputs(), t, c.disconnected());
                yield TextClassification.toHfJson(r, cast(res));
            }
            case TOKEN_CLASSIFICATION -> {
                var r = TokenClassification.HfRequest.parse(inputs, params);
                List<Object> res = m.run(new Op.NerOp(r.options()), r.texts(), tokens(m, r.texts()), c.disconnected());
                yield TokenClassification.toHfJson(r.list(), cast(res));
            }
            case QUESTION_ANSWERING -> {
                var r = QuestionAnswering.HfRequest.parse(inputs, params);
                checkCount(r.inputs().size());
                int[] t = r.inputs().stream().mapToInt(i -> m.tokens(i.question(), i.context())).toArray();
                List<Object> res = m.run(new Op.QaOp(r.options()), r.inputs(), t, c.disconnected());
                yield QuestionAnswering.toHfJson(r.list(), cast(res));
            }
            case FEATURE_EXTRACTION -> featureExtraction(m, inputs, c);
        };
        return HttpApi.Reply.json(out);
    }

    /** sentence-transformers models answer with sentence vectors, plain encoders with token vectors ([1, T, H] per text), as the Inference API does. */
    private JsonNode featureExtraction(ServedModel m, JsonNode inputs, HttpApi.Call c) {
        boolean list = inputs.isArray();
        List<String> texts = strings(inputs, "inputs");
        int[] t = checkedTokens(m, texts, true);
        ArrayNode all = HttpApi.JSON.createArrayNode();
        if (m.sentenceTransformer()) {
            for (Object v : m.run(new Op.SentenceOp(), texts, t, c.disconnected())) all.add(Embeddings.vector((float[]) v));
        } else {
            for (Object v : m.run(new Op.TokensOp(), texts, t, c.disconnected())) all.add(Embeddings.toHfFeatureExtraction(cast(v)));
        }
        return list ? all : all.get(0);
    }

    // ------------------------------------------------------------------ text-embeddings-inference

    private ServedModel tei() {
        return models.values().iterator().next();
    }

    private HttpApi.Reply embed(HttpApi.Call c) {
        ServedModel m = tei();
        ObjectNode body = c.json();
        List<String> texts = strings(body.get("inputs"), "inputs");
        boolean normalize = bool(body, "normalize", true);
        int[] t = checkedTokens(m, texts, bool(body, "truncate", options.autoTruncate()));
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (Object v : m.run(new Op.SentenceOp(), texts, t, c.disconnected())) {
            out.add(Embeddings.vector(normalize ? l2((float[]) v) : (float[]) v));
        }
        return HttpApi.Reply.json(out);
    }

    private HttpApi.Reply embedAll(HttpApi.Call c) {
        ServedModel m = tei();
        ObjectNode body = c.json();
        List<String> texts = strings(body.get("inputs"), "inputs");
        int[] t = checkedTokens(m, texts, bool(body, "truncate", options.autoTruncate()));
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (Object v : m.run(new Op.TokensOp(), texts, t, c.disconnected())) {
            ArrayNode seq = out.addArray();
            for (Embeddings.TokenEmbedding e : Routes.<List<Embeddings.TokenEmbedding>>cast(v)) seq.add(Embeddings.vector(e.vector()));
        }
        return HttpApi.Reply.json(out);
    }

    /** TEI's /predict: a text, a [text, pair] or a list of those; every label, best first. */
    private HttpApi.Reply predict(HttpApi.Call c) {
        ServedModel m = tei();
        if (m.task() != Task.TEXT_CLASSIFICATION) {
            throw ApiException.badRequest("model " + m.id() + " is not a classifier (it serves " + m.task().hfName() + ")");
        }
        ObjectNode body = c.json();
        JsonNode inputs = body.get("inputs");
        if (inputs == null || inputs.isNull()) throw ApiException.empty("the request has no \"inputs\"");
        List<TextClassification.Input> in = new ArrayList<>();
        boolean batch;
        if (inputs.isTextual() || isPair(inputs)) {
            batch = false;
            in.add(sequence(inputs));
        } else if (inputs.isArray() && !inputs.isEmpty()) {
            batch = true;
            for (JsonNode n : inputs) in.add(sequence(n));
        } else {
            throw ApiException.validation("\"inputs\" must be a string, a [text, text_pair] pair, or a non-empty list of those");
        }
        checkCount(in.size());
        boolean raw = bool(body, "raw_scores", false);
        var opts = TextClassification.Options.defaults().withTopK(TextClassification.ALL)
                .withTruncation(bool(body, "truncate", options.autoTruncate()));
        if (raw) opts = opts.withFunction(TextClassification.Function.NONE);
        int[] t = in.stream().mapToInt(i -> m.tokens(i.text(), i.textPair())).toArray();
        List<Object> res = m.run(new Op.ClassifyOp(opts, false), in, t, c.disconnected());
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (Object r : res) {
            ArrayNode one = out.addArray();
            for (TextClassification.LabelScore ls : Routes.<List<TextClassification.LabelScore>>cast(r)) {
                one.addObject().put("label", ls.label()).set("score", FloatNode.valueOf(ls.score()));
            }
        }
        return HttpApi.Reply.json(batch ? out : out.get(0));
    }

    private static boolean isPair(JsonNode n) {
        return n.isArray() && n.size() == 2 && n.get(0).isTextual() && n.get(1).isTextual();
    }

    private static TextClassification.Input sequence(JsonNode n) {
        if (n.isTextual()) return TextClassification.Input.of(n.asText());
        if (isPair(n)) return TextClassification.Input.pair(n.get(0).asText(), n.get(1).asText());
        throw ApiException.validation("each input must be a string or a [text, text_pair] pair, got " + n);
    }

    private HttpApi.Reply tokenize(HttpApi.Call c) {
        ServedModel m = tei();
        ObjectNode body = c.json();
        List<String> texts = strings(body.get("inputs"), "inputs");
        checkCount(texts.size());
        boolean special = bool(body, "add_special_tokens", true);
        EncodeOptions eo = new EncodeOptions(special, null, 0, 0, null, null, 0, null);
        ArrayNode out = HttpApi.JSON.createArrayNode();
        for (String text : texts) {
            Encoding e = m.tokenizer().encode(text, eo);
            ArrayNode toks = out.addArray();
            for (int i = 0; i < e.length(); i++) {
                ObjectNode o = toks.addObject();
                o.put("id", e.idAt(i));
                boolean sp = e.specialTokenMaskAt(i) == 1;
                o.put("special", sp);
                if (sp) {
                    o.put("text", e.tokenAt(i));
                    o.putNull("start");
                    o.putNull("stop");
                } else {
                    o.put("text", text.substring(e.startAt(i), e.endAt(i)));
                    o.put("start", e.codePointStartAt(i));
                    o.put("stop", e.codePointEndAt(i));
                }
            }
        }
        return HttpApi.Reply.json(out);
    }

    private HttpApi.Reply decode(HttpApi.Call c) {
        ServedModel m = tei();
        ObjectNode body = c.json();
        JsonNode ids = body.get("ids");
        if (ids == null || !ids.isArray() || ids.isEmpty()) throw ApiException.empty("\"ids\" must be a non-empty list of token ids (or of lists)");
        boolean skip = bool(body, "skip_special_tokens", true);
        List<int[]> seqs = new ArrayList<>();
        if (ids.get(0).isArray()) {
            for (JsonNode s : ids) seqs.add(intList(s));
        } else {
            seqs.add(intList(ids));
        }
        checkCount(seqs.size());
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

    ObjectNode info() {
        ServedModel m = tei();
        ObjectNode o = HttpApi.JSON.createObjectNode();
        o.put("model_id", m.id());
        o.putNull("model_sha");
        o.put("model_dtype", "float32");
        ObjectNode type = o.putObject("model_type");
        if (m.task() == Task.TEXT_CLASSIFICATION) {
            ObjectNode cls = type.putObject("classifier");
            ObjectNode id2label = cls.putObject("id2label");
            ObjectNode label2id = cls.putObject("label2id");
            List<String> labels = m.pipelineModel().model().config().labels();
            for (int i = 0; i < labels.size(); i++) {
                id2label.put(Integer.toString(i), labels.get(i));
                label2id.put(labels.get(i), i);
            }
        } else {
            type.putObject("embedding").put("pooling", m.task() == Task.FEATURE_EXTRACTION
                    ? m.embeddings().sentenceConfig().pooling().get(0).name().toLowerCase(java.util.Locale.ROOT) : "mean");
        }
        o.put("pipeline_tag", m.task().hfName());
        o.put("max_concurrent_requests", options.maxQueue());
        o.put("max_input_length", m.maxLength());
        o.put("waiting_served_ratio", 0.0);
        o.put("max_batch_tokens", options.maxBatchTokens());
        o.put("max_batch_requests", options.maxBatchSize());
        o.put("max_client_batch_size", options.maxClientBatch());
        o.put("auto_truncate", options.autoTruncate());
        o.put("tokenization_workers", 1);
        o.put("version", "distil4j-0.1.0");
        ArrayNode served = o.putArray("models");
        models.values().forEach(s -> served.addObject().put("id", s.id()).put("pipeline_tag", s.task().hfName()));
        return o;
    }

    private HttpApi.Reply health(HttpApi.Call c) {
        if (api.state() != HttpApi.State.READY) throw ApiException.unhealthy("not ready: " + api.state().name().toLowerCase());
        return new HttpApi.Reply(200, "application/json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ OpenAI

    private HttpApi.Reply openAi(HttpApi.Call c) {
        ObjectNode body = c.json();
        ServedModel m;
        JsonNode model = body.get("model");
        if (model != null && !model.isNull()) {
            m = models.get(model.asText());
            if (m == null) throw ApiException.notFound("model \"" + model.asText() + "\" is not served here (served: " + models.keySet() + ")");
        } else {
            m = tei();
        }
        JsonNode input = body.get("input");
        if (input != null && input.isArray() && !input.isEmpty() && (input.get(0).isNumber() || input.get(0).isArray())) {
            throw ApiException.validation("token-id inputs are not supported; send strings");
        }
        List<String> texts = strings(input, "input");
        String format = body.hasNonNull("encoding_format") ? body.get("encoding_format").asText() : "float";
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.validation("encoding_format must be \"float\" or \"base64\", not \"" + format + "\"");
        }
        int dim = m.embeddingDimension();
        if (body.hasNonNull("dimensions")) {
            JsonNode d = body.get("dimensions");
            if (!d.isIntegralNumber() || d.asInt() != dim) {
                throw ApiException.validation("dimensions " + d + " is not supported: model " + m.id() + " gives " + dim + "-dimensional embeddings");
            }
        }
        int[] t = checkedTokens(m, texts, options.autoTruncate());
        List<Object> vectors = m.run(new Op.SentenceOp(), texts, t, c.disconnected());
        ObjectNode out = HttpApi.JSON.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            float[] v = (float[]) vectors.get(i);
            ObjectNode d = data.addObject();
            d.put("object", "embedding");
            if (format.equals("base64")) d.put("embedding", base64(v));
            else d.set("embedding", Embeddings.vector(v));
            d.put("index", i);
        }
        out.put("model", m.id());
        int used = 0;
        for (int n : t) used += Math.min(n, m.maxLength());
        out.putObject("usage").put("prompt_tokens", used).put("total_tokens", used);
        return HttpApi.Reply.json(out);
    }

    /** Little-endian float32 bytes, base64: what OpenAI clients decode. */
    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return Base64.getEncoder().encodeToString(b.array());
    }

    // ------------------------------------------------------------------ helpers

    private void checkCount(int n) {
        if (n > options.maxClientBatch()) {
            throw ApiException.validation("batch size " + n + " > maximum allowed batch size " + options.maxClientBatch());
        }
    }

    private int[] tokens(ServedModel m, List<String> texts) {
        checkCount(texts.size());
        return texts.stream().mapToInt(s -> m.tokens(s, null)).toArray();
    }

    /** Token counts; longer than the model takes is a 422 unless truncation is on. */
    private int[] checkedTokens(ServedModel m, List<String> texts, boolean truncate) {
        int[] t = tokens(m, texts);
        for (int i = 0; i < t.length; i++) {
            if (t[i] > m.maxLength()) {
                if (!truncate) {
                    throw ApiException.validation("input " + i + " has " + t[i] + " tokens; the model takes at most "
                            + m.maxLength() + " (send \"truncate\": true, or start the server with --auto-truncate)");
                }
                t[i] = m.maxLength();
            }
        }
        return t;
    }

    private static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) throw ApiException.empty("the request has no \"" + field + "\"");
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            if (n.isEmpty()) throw ApiException.empty("\"" + field + "\" is an empty list");
            for (JsonNode x : n) {
                if (!x.isTextual()) throw ApiException.validation("\"" + field + "\" must hold strings, got " + x);
                out.add(x.asText());
            }
        } else {
            throw ApiException.validation("\"" + field + "\" must be a string or a list of strings, got " + n.getNodeType().name().toLowerCase());
        }
        return out;
    }

    private static boolean bool(ObjectNode body, String key, boolean dflt) {
        JsonNode n = body.get(key);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw ApiException.validation("\"" + key + "\" must be true or false, got " + n);
        return n.asBoolean();
    }

    private static float[] l2(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        double n = Math.max(Math.sqrt(s), 1e-12);
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) (v[i] / n);
        return o;
    }

    @SuppressWarnings("unchecked")
    private static <T> T cast(Object o) {
        return (T) o;
    }
}
