package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Every route, registered before the port opens (until the models are ready they answer 503, never
 * 404): Hugging Face's Inference API ({@link HubRoutes}), text-embeddings-inference's
 * ({@link TeiRoutes}), OpenAI's embeddings ({@link OpenAiRoutes}), {@code POST /} and {@code /metrics}.
 */
final class Routes {
    private final ServedModels models;
    private final TeiRoutes tei;
    private final HubRoutes hub;

    Routes(ServedModels models, ServerOptions options, ServerMetrics metrics, HttpApi api) {
        this.models = models;
        Requests requests = new Requests(options);
        this.tei = new TeiRoutes(models, options, requests, api);
        this.hub = new HubRoutes(models, requests, tei, api);
        tei.register();
        hub.register();
        new OpenAiRoutes(models, options, requests, api).register();
        api.route("POST", "/", "root", this::root);
        api.route("GET", "/metrics", "metrics", options.protectMetrics() ? HttpApi.Access.KEY : HttpApi.Access.OPEN,
                c -> HttpApi.Reply.text(ServerMetrics.CONTENT_TYPE, metrics.scrape()));
    }

    /**
     * {@code POST /}, where two kinds of client post: huggingface_hub's {@code InferenceClient} with a
     * base URL sends the Inference API's {@code {"inputs", "parameters"}} (its {@code parameters} is
     * always there, if empty, except for feature extraction, whose parameters are TEI's), and TEI
     * clients send TEI's request for the model's type. So: a body with {@code parameters}, an object
     * as {@code inputs}, or a model that TEI does not serve (fill-mask, token classification,
     * question answering) gets the Inference API's answer for the first model; anything else TEI's
     * ({@code /predict}, {@code /rerank} or {@code /embed} by the model's type).
     */
    private HttpApi.Reply root(HttpApi.Call c) {
        ServedModel m = models.first();
        ObjectNode body = c.json();
        JsonNode inputs = body.get("inputs");
        boolean hubRequest = body.has("parameters") || (inputs != null && inputs.isObject()) || m.kind() == ServedModel.Kind.OTHER;
        if (hubRequest) return HttpApi.Reply.json(hub.answer(m, null, body, HubRoutes.Shape.HOSTED, c));
        return tei.compat(c);
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }
}
