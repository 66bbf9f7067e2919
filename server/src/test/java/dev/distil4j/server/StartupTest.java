package dev.distil4j.server;

import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;

import static dev.distil4j.server.ServerFixtures.get;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 16.10: between the port opening and the models being ready, every known route answers 503
 * ("Unhealthy", with Retry-After), health checks included, never 404. The test holds the server in
 * that state ({@link InferenceServer#listen} without {@link InferenceServer#load}), so nothing depends on timing.
 */
class StartupTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyRouteAnswers503UntilTheModelsAreLoaded() throws Exception {
        try (InferenceServer s = InferenceServer.listen(ServerOptions.builder().port(0).build())) {
            for (String route : List.of("/health", "/ping", "/", "/info")) {
                var r = get(http, s.url() + route);
                assertEquals(503, r.status(), "GET " + route);
                assertEquals("Unhealthy", r.body().get("error_type").asText(), route);
                assertThat(r.raw().headers().firstValue("Retry-After")).as(route).isPresent();
            }
            for (String route : List.of("/embed", "/embed_all", "/embed_sparse", "/predict", "/rerank", "/similarity", "/tokenize",
                    "/decode", "/", "/models/minilm", "/pipeline/feature-extraction/minilm", "/transformers/minilm")) {
                var r = post(http, s.url() + route, "{\"inputs\": \"x\"}");
                assertEquals(503, r.status(), "POST " + route + ": " + r.raw().body());
                assertThat(r.body().get("error").asText()).contains("loading");
            }
            var openAi = post(http, s.url() + "/v1/embeddings", "{\"input\": \"x\"}");
            assertEquals(503, openAi.status());
            assertEquals("Unhealthy", openAi.body().get("error").get("type").asText(), "OpenAI's error shape");
            assertEquals(503, get(http, s.url() + "/api/models/minilm").status());
            assertEquals(200, get(http, s.url() + "/metrics").status(), "metrics are there from the start");
            assertEquals(404, get(http, s.url() + "/no-such-route").status(), "an unknown route is still 404");

            s.load(Map.of("minilm", shared("real/all-MiniLM-L6-v2")));
            var health = get(http, s.url() + "/health");
            assertEquals(200, health.status());
            assertEquals("", health.raw().body());
            assertEquals(200, post(http, s.url() + "/embed", "{\"inputs\": \"x\"}").status());
        }
    }
}
