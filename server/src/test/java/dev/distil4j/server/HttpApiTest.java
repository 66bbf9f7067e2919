package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

class HttpApiTest {
    HttpApi api;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        ServerOptions o = ServerOptions.builder().port(0).maxBodyBytes(100).apiKey("s3cret").build();
        api = new HttpApi(o, new ServerMetrics());
        api.route("GET", "/health", "health", HttpApi.Access.OPEN, c -> HttpApi.Reply.json(HttpApi.JSON.createObjectNode().put("ok", true)));
        api.route("POST", "/echo", "echo", c -> HttpApi.Reply.json(c.json()));
        api.routePrefix("POST", "/models/", "models", c -> HttpApi.Reply.json(HttpApi.JSON.createObjectNode().put("id", c.tail())));
        api.start();
        api.state(HttpApi.State.READY);
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    HttpResponse<String> post(String path, String body, String key) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void routesAndJsonErrors() throws Exception {
        var ok = post("/echo", "{\"a\": 1}", "s3cret");
        assertEquals(200, ok.statusCode());
        assertEquals(1, json(ok).get("a").asInt());

        var bad = post("/echo", "{\"a\": ", "s3cret");
        assertEquals(400, bad.statusCode());
        assertThat(json(bad).get("error").asText()).contains("not valid JSON");
        assertEquals("Validation", json(bad).get("error_type").asText(), "TEI's spelling of its ErrorType");

        var none = post("/nope", "{}", "s3cret");
        assertEquals(404, none.statusCode());
        assertEquals("NotFound", json(none).get("error_type").asText());

        var wrongMethod = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/echo"))
                .header("Authorization", "Bearer s3cret").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, wrongMethod.statusCode(), "a known route is never 404");
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(""));
        assertEquals("MethodNotAllowed", json(wrongMethod).get("error_type").asText());

        var id = post("/models/distilbert/distilbert-base-uncased", "{}", "s3cret");
        assertEquals("distilbert/distilbert-base-uncased", json(id).get("id").asText());
    }

    @Test
    void bodyLimitApiKeyAndStates() throws Exception {
        var big = post("/echo", "{\"a\": \"" + "x".repeat(200) + "\"}", "s3cret");
        assertEquals(413, big.statusCode());
        assertThat(json(big).get("error").asText()).contains("100 bytes");

        assertEquals(401, post("/echo", "{}", null).statusCode());
        assertEquals(401, post("/echo", "{}", "s3cres").statusCode());
        var health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), "health needs no key");

        api.state(HttpApi.State.LOADING);
        var loading = post("/echo", "{}", "s3cret");
        assertEquals(503, loading.statusCode());
        assertEquals("Unhealthy", json(loading).get("error_type").asText());
        assertThat(loading.headers().firstValue("Retry-After")).isPresent();
        assertEquals(503, post("/models/any/id", "{}", "s3cret").statusCode(), "prefix routes answer 503 while loading too");
        assertEquals(404, post("/nope", "{}", "s3cret").statusCode(), "an unknown route stays 404");
    }
}
