package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.pipeline.Embeddings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.distil4j.server.ServerFixtures.get;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TEI and OpenAI routes against the Embeddings pipeline, and the documented 4xx answers. */
class ServerBehaviourTest {
    static InferenceServer server;
    static final HttpClient http = HttpClient.newHttpClient();
    static final List<String> TEXTS = List.of("The cat sleeps on the warm mat.", "Anna wrote the letter to Paris.", "hello");

    @BeforeAll
    static void start() throws Exception {
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("minilm", shared("real/all-MiniLM-L6-v2"));
        models.put("distilbert-seqcls", shared("fixtures/models/distilbert-seqcls"));
        server = InferenceServer.start(models, ServerOptions.builder().port(0).maxBodyBytes(4000).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).floatValue();
        return v;
    }

    static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], actual[i], tol, "component " + i);
    }

    @Test
    void teiAndOpenAiEmbeddingsEqualThePipeline() throws Exception {
        List<float[]> expected;
        try (Embeddings e = Embeddings.load(shared("real/all-MiniLM-L6-v2"))) {
            expected = e.sentences(TEXTS);
        }
        String inputs = ServerFixtures.JSON.valueToTree(TEXTS).toString();
        var tei = post(http, server.url() + "/embed", "{\"inputs\": " + inputs + ", \"normalize\": false}");
        assertEquals(200, tei.status(), tei.raw().body());
        var oai = post(http, server.url() + "/v1/embeddings", "{\"input\": " + inputs + ", \"model\": \"minilm\"}");
        assertEquals(200, oai.status(), oai.raw().body());
        var b64 = post(http, server.url() + "/v1/embeddings", "{\"input\": " + inputs + ", \"encoding_format\": \"base64\"}");
        for (int i = 0; i < TEXTS.size(); i++) {
            assertClose(expected.get(i), floats(tei.body().get(i)), 1e-6);
            JsonNode d = oai.body().get("data").get(i);
            assertEquals(i, d.get("index").asInt());
            assertEquals("embedding", d.get("object").asText());
            assertClose(expected.get(i), floats(d.get("embedding")), 1e-6);
            ByteBuffer raw = ByteBuffer.wrap(Base64.getDecoder().decode(b64.body().get("data").get(i).get("embedding").asText()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] fromB64 = new float[raw.remaining() / 4];
            raw.asFloatBuffer().get(fromB64);
            assertClose(expected.get(i), fromB64, 0);
        }
        assertEquals("minilm", oai.body().get("model").asText());
        assertThat(oai.body().get("usage").get("prompt_tokens").asInt()).isGreaterThan(10);

        var normalized = post(http, server.url() + "/embed", "{\"inputs\": \"hello\"}");
        float[] n = floats(normalized.body().get(0));
        double norm = 0;
        for (float x : n) norm += x * x;
        assertEquals(1.0, Math.sqrt(norm), 1e-5, "TEI normalizes by default");

        var all = post(http, server.url() + "/embed_all", "{\"inputs\": [\"hello world\"]}");
        assertEquals(1, all.body().size());
        assertEquals(4, all.body().get(0).size(), "[CLS] hello world [SEP]");
        assertEquals(384, all.body().get(0).get(0).size());
    }

    @Test
    void openAiDimensionsAndTokenInputs() throws Exception {
        assertEquals(200, post(http, server.url() + "/v1/embeddings", "{\"input\": \"x\", \"dimensions\": 384}").status());
        var dims = post(http, server.url() + "/v1/embeddings", "{\"input\": \"x\", \"dimensions\": 128}");
        assertEquals(422, dims.status());
        assertThat(dims.body().get("error").asText()).contains("dimensions 128").contains("384");
        assertEquals(422, post(http, server.url() + "/v1/embeddings", "{\"input\": [[1, 2, 3]]}").status());
        assertEquals(404, post(http, server.url() + "/v1/embeddings", "{\"input\": \"x\", \"model\": \"gpt\"}").status());
    }

    @Test
    void tokenizeDecodeInfoHealthMetrics() throws Exception {
        var t = post(http, server.url() + "/tokenize", "{\"inputs\": \"Hello world\"}");
        JsonNode toks = t.body().get(0);
        assertEquals("[CLS]", toks.get(0).get("text").asText());
        assertTrue(toks.get(0).get("special").asBoolean());
        assertEquals("Hello", toks.get(1).get("text").asText());
        assertEquals(0, toks.get(1).get("start").asInt());
        assertEquals(5, toks.get(1).get("stop").asInt());
        List<Integer> ids = new ArrayList<>();
        toks.forEach(x -> ids.add(x.get("id").asInt()));
        var d = post(http, server.url() + "/decode", "{\"ids\": " + ids + "}");
        assertEquals("hello world", d.body().get(0).asText());
        var info = get(http, server.url() + "/info");
        assertEquals("minilm", info.body().get("model_id").asText());
        assertEquals(512, info.body().get("max_input_length").asInt());
        assertEquals(200, get(http, server.url() + "/health").status());
        var metrics = get(http, server.url() + "/metrics");
        assertThat(metrics.raw().body()).contains("distil4j_requests_total{").contains("distil4j_batch_size_bucket");
    }

    @Test
    void predictOnTheClassifier() throws Exception {
        Map<String, Path> one = Map.of("cls", shared("fixtures/models/distilbert-seqcls"));
        try (InferenceServer s = InferenceServer.start(one, ServerOptions.builder().port(0).build())) {
            var single = post(http, s.url() + "/predict", "{\"inputs\": \"I love this movie!\"}");
            assertEquals(2, single.body().size());
            assertEquals("POSITIVE", single.body().get(0).get("label").asText());
            assertEquals(0.8404206037521362, single.body().get(0).get("score").asDouble(), 1e-5);
            var batch = post(http, s.url() + "/predict", "{\"inputs\": [\"I love this movie!\", \"It is okay, I guess.\", \"x\"]}");
            assertEquals(3, batch.body().size());
            var pair = post(http, s.url() + "/predict", "{\"inputs\": [\"How old are you?\", \"I am six years old.\"]}");
            assertEquals(0.7061315178871155, pair.body().get(0).get("score").asDouble(), 1e-5, "a [text, pair] is one pair");
        }
    }

    @Test
    void documentedErrors() throws Exception {
        String m = server.url() + "/models/distilbert-seqcls";
        var bad = post(http, m, "{\"inputs\": ");
        assertEquals(400, bad.status());
        assertThat(bad.body().get("error").asText()).contains("not valid JSON");
        assertEquals(400, post(http, m, "[1, 2]").status(), "body must be an object");
        var empty = post(http, m, "{\"parameters\": {}}");
        assertEquals(400, empty.status());
        assertEquals("empty", empty.body().get("error_type").asText());
        var wrongType = post(http, m, "{\"inputs\": 42}");
        assertEquals(422, wrongType.status());
        assertEquals("validation", wrongType.body().get("error_type").asText());
        assertEquals(422, post(http, m, "{\"inputs\": \"x\", \"parameters\": {\"top_k\": \"many\"}}").status());
        assertEquals(400, post(http, server.url() + "/embed", "{\"inputs\": []}").status());
        assertEquals(422, post(http, server.url() + "/embed", "{\"inputs\": [1]}").status());
        var unknown = post(http, server.url() + "/models/no-such-model", "{\"inputs\": \"x\"}");
        assertEquals(404, unknown.status());
        var big = post(http, server.url() + "/embed", "{\"inputs\": \"" + "word ".repeat(1000) + "\"}");
        assertEquals(413, big.status());
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 33; i++) many.add("x");
        var tooMany = post(http, server.url() + "/embed", "{\"inputs\": " + ServerFixtures.JSON.valueToTree(many) + "}");
        assertEquals(422, tooMany.status());
        assertThat(tooMany.body().get("error").asText()).contains("batch size 33 > maximum allowed batch size 32");
        var tooLong = post(http, server.url() + "/embed", "{\"inputs\": \"" + "a ".repeat(600) + "\"}");
        assertEquals(422, tooLong.status());
        assertThat(tooLong.body().get("error").asText()).contains("602 tokens").contains("at most 512");
        var truncated = post(http, server.url() + "/embed", "{\"inputs\": \"" + "a ".repeat(600) + "\", \"truncate\": true}");
        assertEquals(200, truncated.status());
    }
}
