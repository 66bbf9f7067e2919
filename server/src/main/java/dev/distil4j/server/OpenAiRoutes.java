package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.pipeline.Embeddings;

import java.util.List;

/**
 * OpenAI's {@code POST /v1/embeddings} (also {@code /embeddings}, as TEI serves it): {@code input} a
 * string or up to 2,048 strings (OpenAI's limit; the server feeds them to the batcher a request's
 * worth at a time), {@code model} (default: the first served), {@code encoding_format} float or base64
 * (little-endian float32), {@code dimensions} (keep the first n, then normalise, as TEI). Vectors are
 * L2-normalised, as OpenAI's and TEI's are. Errors have OpenAI's shape, which OpenAI clients read.
 */
final class OpenAiRoutes {
    /** The most inputs OpenAI takes in one embeddings request. */
    static final int MAX_INPUTS = 2048;

    private final ServedModels models;
    private final ServerOptions options;
    private final Requests requests;
    private final HttpApi api;

    OpenAiRoutes(ServedModels models, ServerOptions options, Requests requests, HttpApi api) {
        this.models = models;
        this.options = options;
        this.requests = requests;
        this.api = api;
    }

    void register() {
        for (String path : List.of("/v1/embeddings", "/embeddings")) {
            api.route("POST", path, "openai_embeddings", HttpApi.Access.KEY, HttpApi.ErrorShape.OPENAI, this::embeddings);
        }
    }

    private HttpApi.Reply embeddings(HttpApi.Call c) {
        ObjectNode body = c.json();
        JsonNode model = body.get("model");
        ServedModel m = model != null && !model.isNull() ? models.get(model.asText()) : models.first();
        List<String> texts = Requests.strings(body.get("input"), "input");
        Requests.checkCount(texts.size(), MAX_INPUTS);
        String format = body.hasNonNull("encoding_format") ? body.get("encoding_format").asText() : "float";
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.validation("\"encoding_format\" must be \"float\" or \"base64\", not \"" + format + "\"");
        }
        // OpenAI's request has no normalize, truncate or direction: always normalised, truncated only with --auto-truncate
        SentenceRequest r = new SentenceRequest(texts, true, Requests.dimensions(body, m.embeddingDimension()),
                options.autoTruncate(), dev.distil4j.tokenizer.Side.RIGHT);
        // a request of up to 2,048 inputs goes to the batcher in parts no larger than any other request, nor than the queue
        int chunk = Math.min(options.maxClientBatch(), options.maxQueue());
        List<Embeddings.Prepared> prepared = r.prepare(m, requests, chunk);
        List<float[]> vectors = r.run(m, prepared, c.disconnected(), chunk);
        ObjectNode out = HttpApi.JSON.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode d = data.addObject();
            d.put("object", "embedding");
            if (format.equals("base64")) d.put("embedding", Vectors.base64(vectors.get(i)));
            else d.set("embedding", Embeddings.vector(vectors.get(i)));
            d.put("index", i);
        }
        out.put("model", m.id());
        int used = 0;
        for (Embeddings.Prepared p : prepared) used += p.tokens();
        out.putObject("usage").put("prompt_tokens", used).put("total_tokens", used);
        return HttpApi.Reply.json(out);
    }
}
