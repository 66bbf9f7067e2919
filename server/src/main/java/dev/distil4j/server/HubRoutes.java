package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.FillMask;
import dev.distil4j.pipeline.HfJson;
import dev.distil4j.pipeline.QuestionAnswering;
import dev.distil4j.pipeline.Task;
import dev.distil4j.pipeline.TextClassification;
import dev.distil4j.pipeline.TokenClassification;
import dev.distil4j.tokenizer.Side;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Hugging Face's Inference API. {@code POST /models/{id}} (also {@code /models/{id}/pipeline/{task}}
 * and the legacy {@code /pipeline/{task}/{id}} that huggingface_hub's {@code InferenceApi} posts to)
 * answers as the hosted API does: text classification with every label, best first, one list per
 * input ({@code [[{label, score}, ...]]}); token classification grouped into entities
 * ({@code aggregation_strategy} "simple") unless asked otherwise; sentence similarity
 * ({@code {"source_sentence", "sentences"}}) and feature extraction with TEI's parameters on
 * sentence-transformers models. {@code POST /transformers/{id}} answers exactly as
 * {@code transformers.pipeline(...)} returns for the same inputs and parameters. {@code GET
 * /api/models/{id}} is the hub's model info, which {@code InferenceApi} reads first.
 */
final class HubRoutes {
    /** Whose answer to give. */
    enum Shape {
        /** the hosted Inference API's */
        HOSTED,
        /** transformers' {@code pipeline(...)}'s */
        PIPELINE
    }

    private static final String SENTENCE_SIMILARITY = "sentence-similarity";

    private final ServedModels models;
    private final Requests requests;
    private final TeiRoutes tei;
    private final HttpApi api;

    HubRoutes(ServedModels models, Requests requests, TeiRoutes tei, HttpApi api) {
        this.models = models;
        this.requests = requests;
        this.tei = tei;
        this.api = api;
    }

    void register() {
        api.routePrefix("POST", "/models/", "inference_api", this::models);
        api.routePrefix("POST", "/pipeline/", "inference_api", this::pipeline);
        api.routePrefix("POST", "/transformers/", "transformers_pipeline",
                c -> HttpApi.Reply.json(answer(models.get(c.tail()), null, c.json(), Shape.PIPELINE, c)));
        api.routePrefix("GET", "/api/models/", "model_info", c -> HttpApi.Reply.json(modelInfo(c.tail())));
    }

    /** {@code /models/{id}} or {@code /models/{id}/pipeline/{task}} (the hub router's form for feature extraction and sentence similarity). */
    private HttpApi.Reply models(HttpApi.Call c) {
        String tail = c.tail();
        String task = null;
        int at = tail.lastIndexOf("/pipeline/");
        if (!models.ids().contains(tail) && at > 0) {
            task = tail.substring(at + "/pipeline/".length());
            tail = tail.substring(0, at);
        }
        return HttpApi.Reply.json(answer(models.get(tail), task, c.json(), Shape.HOSTED, c));
    }

    /** {@code /pipeline/{task}/{id}}. */
    private HttpApi.Reply pipeline(HttpApi.Call c) {
        int slash = c.tail().indexOf('/');
        if (slash <= 0 || slash == c.tail().length() - 1) {
            throw ApiException.notFound("no route POST " + c.path() + " (the form is /pipeline/{task}/{model id})");
        }
        ServedModel m = models.get(c.tail().substring(slash + 1));
        return HttpApi.Reply.json(answer(m, c.tail().substring(0, slash), c.json(), Shape.HOSTED, c));
    }

    /**
     * Answers {@code {"inputs", "parameters", "options"}} for model {@code m}; {@code task} (null: the
     * model's) may ask for feature extraction from any model, or sentence similarity from an embedding model.
     */
    JsonNode answer(ServedModel m, String task, ObjectNode body, Shape shape, HttpApi.Call c) {
        JsonNode inputs = body.get("inputs");
        if (inputs == null || inputs.isNull()) throw ApiException.empty("the request has no \"inputs\"");
        JsonNode params = body.get("parameters");
        if (params != null && !params.isNull() && !params.isObject()) throw ApiException.validation("\"parameters\" must be an object");
        boolean embedder = m.task() == Task.FEATURE_EXTRACTION;
        if (SENTENCE_SIMILARITY.equals(task) || (task == null && embedder && inputs.isObject())) {
            if (!embedder) throw notServed(m, SENTENCE_SIMILARITY, "it needs a sentence-transformers model");
            return tei.similarity(m, inputs, params, c);
        }
        if (Task.FEATURE_EXTRACTION.hfName().equals(task) || (task == null && embedder)) {
            return featureExtraction(m, inputs, merged(body, params), shape, c);
        }
        if (task != null && !task.equals(m.task().hfName())) throw notServed(m, task, "feature-extraction is available on every model");
        return switch (m.task()) {
            case FILL_MASK -> {
                var r = FillMask.HfRequest.parse(inputs, params);
                requests.checkCount(r.texts().size());
                FillMask fm = m.fillMask();
                List<FillMask.Prepared> p = fm.prepare(r.texts());
                FillMask.Targets targets = r.options().targets().isEmpty() ? null : fm.resolveTargets(r.options().targets());
                long predictions = 0;
                for (FillMask.Prepared x : p) predictions += (long) x.maskCount() * fm.topK(r.options(), targets);
                requests.checkPredictions(predictions, "fill-mask predictions (masks x top_k, top_k capped at the "
                        + (targets == null ? "vocabulary" : "targets") + ")");
                requests.checkWork(p);
                List<Object> res = m.run(new Op.FillMaskOp(r.options(), targets), p, c.disconnected());
                yield FillMask.toHfJson(r.list(), Routes.cast(res));
            }
            case TEXT_CLASSIFICATION -> textClassification(m, TextClassification.HfRequest.parse(inputs, params), shape, c);
            case TOKEN_CLASSIFICATION -> {
                var base = shape == Shape.HOSTED
                        ? TokenClassification.Options.defaults().withAggregation(TokenClassification.Aggregation.SIMPLE)
                        : TokenClassification.Options.defaults();
                var r = TokenClassification.HfRequest.parse(inputs, params, base);
                requests.checkCount(r.texts().size());
                requests.checkWindows(m.ner().windowCounts(r.texts(), r.options()));
                List<TokenClassification.Prepared> p = m.ner().prepare(r.texts(), r.options());
                requests.checkWork(p);
                List<Object> res = m.run(new Op.NerOp(r.options()), p, c.disconnected());
                yield TokenClassification.toHfJson(r.list(), Routes.cast(res));
            }
            case QUESTION_ANSWERING -> {
                var r = QuestionAnswering.HfRequest.parse(inputs, params);
                requests.checkCount(r.inputs().size());
                requests.checkWindows(m.qa().windowCounts(r.inputs(), r.options()));
                List<QuestionAnswering.Prepared> p = m.qa().prepare(r.inputs(), r.options());
                requests.checkWork(p);
                long answers = 0;
                for (QuestionAnswering.Prepared x : p) answers += x.maxAnswers(r.options());
                requests.checkPredictions(answers, "question-answering answers (top_k, capped at the spans of each context)");
                List<Object> res = m.run(new Op.QaOp(r.options()), p, c.disconnected());
                yield QuestionAnswering.toHfJson(r.list(), Routes.cast(res));
            }
            case FEATURE_EXTRACTION -> throw new IllegalStateException("handled above");
        };
    }

    private static ApiException notServed(ServedModel m, String task, String hint) {
        return ApiException.unsupported("model " + m.id() + " serves " + m.task().hfName() + ", not " + task + " (" + hint + ")");
    }

    /**
     * The hosted answer: every label unless {@code top_k} says otherwise, best first, one list per
     * input even for a single text; the pipeline's answer nests as {@code pipeline(...)} does.
     */
    private JsonNode textClassification(ServedModel m, TextClassification.HfRequest r, Shape shape, HttpApi.Call c) {
        TextClassification.Options o = r.options();
        if (shape == Shape.HOSTED && r.legacy() && !r.labelOrder()) o = o.withTopK(TextClassification.ALL);
        requests.checkCount(r.inputs().size());
        List<TextClassification.Prepared> p = m.classifier(Side.RIGHT).prepare(r.inputs(), o);
        requests.checkWork(p);
        List<Object> res = m.run(new Op.ClassifyOp(o, r.labelOrder(), Side.RIGHT), p, c.disconnected());
        if (shape == Shape.PIPELINE) return TextClassification.toHfJson(r, Routes.cast(res));
        ArrayNode out = HfJson.array();
        for (Object one : res) {
            ArrayNode labels = out.addArray();
            for (TextClassification.LabelScore ls : Routes.<List<TextClassification.LabelScore>>cast(one)) {
                labels.addObject().put("label", ls.label()).set("score", HfJson.score(ls.score()));
            }
        }
        return out;
    }

    /**
     * sentence-transformers models: one sentence vector per text (a bare vector for a single string),
     * with TEI's parameters (at the top level, as huggingface_hub sends them, or in {@code parameters});
     * {@code normalize} defaults to true as on the hosted API (TEI), and to the model's own chain for
     * the pipeline shape. Other models: the feature-extraction pipeline's token vectors, {@code [1, T, H]} per text.
     */
    private JsonNode featureExtraction(ServedModel m, JsonNode inputs, ObjectNode params, Shape shape, HttpApi.Call c) {
        List<String> texts = Requests.strings(inputs, "inputs");
        requests.checkCount(texts.size());
        ArrayNode all = HfJson.array();
        if (m.sentenceTransformer()) {
            SentenceRequest r = SentenceRequest.parse(params, texts, m, shape == Shape.HOSTED || m.normalizes(), requests);
            for (float[] v : r.run(m, requests, c.disconnected())) all.add(Embeddings.vector(v));
        } else {
            Requests.noPrompt(params);
            Side side = Requests.side(params);
            List<Embeddings.Prepared> p = m.rawEmbeddings(side).prepareTokens(texts);
            requests.checkLengths(m, p, Embeddings.Prepared::fullLength, Requests.bool(params, "truncate", requests.autoTruncate()));
            requests.checkWork(p);
            for (Object v : m.run(new Op.TokensOp(side), p, c.disconnected())) {
                all.add(Embeddings.toHfFeatureExtraction(Routes.cast(v)));
            }
        }
        return inputs.isArray() ? all : all.get(0);
    }

    /** The top-level fields other than inputs, with {@code parameters} over them. */
    private static ObjectNode merged(ObjectNode body, JsonNode params) {
        ObjectNode out = body.deepCopy();
        out.remove(List.of("inputs", "parameters", "options"));
        if (params != null && params.isObject()) out.setAll((ObjectNode) params);
        return out;
    }

    /**
     * The hub's {@code GET /api/models/{id}} (also {@code .../revision/{rev}}), enough for
     * huggingface_hub's {@code ModelInfo}: id, pipeline tag (sentence-similarity for sentence-transformers
     * models, as the hub tags them), library, tags, config, and the files.
     */
    private ObjectNode modelInfo(String tail) {
        int rev = tail.lastIndexOf("/revision/");
        ServedModel m = models.get(rev > 0 && !models.ids().contains(tail) ? tail.substring(0, rev) : tail);
        ModelConfig config = m.pipelineModel().model().config();
        String library = m.sentenceTransformer() ? "sentence-transformers" : "transformers";
        String tag = m.sentenceTransformer() ? SENTENCE_SIMILARITY : m.task().hfName();
        ObjectNode o = HfJson.object();
        o.put("_id", m.id());
        o.put("id", m.id());
        o.put("modelId", m.id());
        o.putNull("sha");
        o.put("private", false);
        o.put("disabled", false);
        o.put("gated", false);
        o.put("downloads", 0);
        o.put("likes", 0);
        o.put("library_name", library);
        o.put("pipeline_tag", tag);
        ArrayNode tags = o.putArray("tags").add(library).add(tag);
        if (m.sentenceTransformer()) tags.add(Task.FEATURE_EXTRACTION.hfName());
        tags.add(config.modelType()).add("distil4j");
        ObjectNode cfg = o.putObject("config");
        config.architectures().forEach(cfg.putArray("architectures")::add);
        cfg.put("model_type", config.modelType());
        if (m.task() == Task.FILL_MASK && m.tokenizer().config().maskToken() != null) o.put("mask_token", m.tokenizer().config().maskToken());
        o.put("inference", "warm");
        ArrayNode siblings = o.putArray("siblings");
        Path dir = realPath(m.dir());
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted()
                    .forEach(f -> siblings.addObject().put("rfilename", f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return o;
    }

    /** Files.walk does not descend into a start that is a link (a cached hub model may be one). */
    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
