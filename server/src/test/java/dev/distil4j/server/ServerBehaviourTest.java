package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.SentenceTransformerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.distil4j.server.ServerFixtures.assertClose;
import static dev.distil4j.server.ServerFixtures.floats;
import static dev.distil4j.server.ServerFixtures.get;
import static dev.distil4j.server.ServerFixtures.l2;
import static dev.distil4j.server.ServerFixtures.norm;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TEI's and OpenAI's embedding routes on all-MiniLM-L6-v2 against the Embeddings pipeline:
 * normalize, truncation_direction, dimensions and the sentence-transformers length limit, as TEI
 * answers them; and the documented 4xx answers.
 */
class ServerBehaviourTest {
    static InferenceServer server;
    static final HttpClient http = HttpClient.newHttpClient();
    static final List<String> TEXTS = List.of("The cat sleeps on the warm mat.", "Anna wrote the letter to Paris.", "hello");
    /** the pipeline's own vectors (the model's chain ends in Normalize) and the raw ones (the CLI's --no-normalize) */
    static List<float[]> normalized, raw;

    @BeforeAll
    static void start() throws Exception {
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("minilm", shared("real/all-MiniLM-L6-v2"));
        models.put("distilbert-seqcls", shared("fixtures/models/distilbert-seqcls"));
        server = InferenceServer.start(models, ServerOptions.builder().port(0).maxBodyBytes(4000).build());
        try (Embeddings e = Embeddings.load(shared("real/all-MiniLM-L6-v2"))) {
            normalized = e.sentences(TEXTS);
            SentenceTransformerConfig c = e.sentenceConfig();
            raw = e.withSentenceConfig(c.with(c.pooling(), false)).sentences(TEXTS);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String json(Object o) {
        return ServerFixtures.JSON.valueToTree(o).toString();
    }

    static float[] embedOne(String body) throws Exception {
        var r = post(http, server.url() + "/embed", body);
        assertEquals(200, r.status(), r.raw().body());
        assertEquals(1, r.body().size());
        return floats(r.body().get(0));
    }

    @Test
    void teiAndOpenAiEmbeddingsEqualThePipeline() throws Exception {
        var tei = post(http, server.url() + "/embed", "{\"inputs\": " + json(TEXTS) + "}");
        assertEquals(200, tei.status(), tei.raw().body());
        var oai = post(http, server.url() + "/v1/embeddings", "{\"input\": " + json(TEXTS) + ", \"model\": \"minilm\"}");
        assertEquals(200, oai.status(), oai.raw().body());
        var b64 = post(http, server.url() + "/v1/embeddings", "{\"input\": " + json(TEXTS) + ", \"encoding_format\": \"base64\"}");
        for (int i = 0; i < TEXTS.size(); i++) {
            assertClose(normalized.get(i), floats(tei.body().get(i)), 1e-6);
            JsonNode d = oai.body().get("data").get(i);
            assertEquals(i, d.get("index").asInt());
            assertEquals("embedding", d.get("object").asText());
            assertClose(normalized.get(i), floats(d.get("embedding")), 1e-6);
            ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64.body().get("data").get(i).get("embedding").asText()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            float[] fromB64 = new float[bytes.remaining() / 4];
            bytes.asFloatBuffer().get(fromB64);
            assertClose(floats(d.get("embedding")), fromB64, 0);
        }
        assertEquals("minilm", oai.body().get("model").asText());
        assertThat(oai.body().get("usage").get("prompt_tokens").asInt()).isGreaterThan(10);

        var all = post(http, server.url() + "/embed_all", "{\"inputs\": [\"hello world\"]}");
        assertEquals(1, all.body().size());
        assertEquals(4, all.body().get(0).size(), "[CLS] hello world [SEP]");
        assertEquals(384, all.body().get(0).get(0).size());
    }

    /** Issue 16.1: normalize false gives the raw pooled vector (as the CLI's --no-normalize), not a unit vector. */
    @Test
    void normalizeFalseGivesTheRawPooledVector() throws Exception {
        var r = post(http, server.url() + "/embed", "{\"inputs\": " + json(TEXTS) + ", \"normalize\": false}");
        assertEquals(200, r.status(), r.raw().body());
        for (int i = 0; i < TEXTS.size(); i++) {
            float[] v = floats(r.body().get(i));
            assertClose(raw.get(i), v, 1e-5);
            assertThat(norm(v)).as("norm of the raw vector of \"" + TEXTS.get(i) + "\"").isGreaterThan(2.0);
            assertClose(l2(v), floats(post(http, server.url() + "/embed", "{\"inputs\": " + json(TEXTS.get(i)) + "}").body().get(0)), 1e-6);
        }
        System.out.printf("raw MiniLM norms: %.4f %.4f %.4f%n", norm(raw.get(0)), norm(raw.get(1)), norm(raw.get(2)));
    }

    /** Issue 16.2: truncation_direction Left keeps the end of the text; an unknown direction is a 422. */
    @Test
    void truncationDirectionChoosesTheSideThatIsCut() throws Exception {
        // 200 + 200 one-token words = 402 tokens with [CLS] and [SEP]; the limit is 256: 254 words stay
        String text = "cat ".repeat(200) + "dog ".repeat(200);
        String rightKept = "cat ".repeat(200) + "dog ".repeat(54);
        String leftKept = "cat ".repeat(54) + "dog ".repeat(200);
        float[] right = embedOne("{\"inputs\": " + json(text) + ", \"truncate\": true, \"truncation_direction\": \"Right\"}");
        float[] left = embedOne("{\"inputs\": " + json(text) + ", \"truncate\": true, \"truncation_direction\": \"Left\"}");
        float[] byDefault = embedOne("{\"inputs\": " + json(text) + ", \"truncate\": true}");
        assertClose(embedOne("{\"inputs\": " + json(rightKept) + "}"), right, 1e-5);
        assertClose(embedOne("{\"inputs\": " + json(leftKept) + "}"), left, 1e-5);
        assertClose(right, byDefault, 0);
        assertThat(ServerFixtures.cosine(left, right)).isLessThan(0.99);
        assertClose(left, embedOne("{\"inputs\": " + json(text) + ", \"truncate\": true, \"truncation_direction\": \"left\"}"), 0);

        var sideways = post(http, server.url() + "/embed", "{\"inputs\": \"x\", \"truncation_direction\": \"sideways\"}");
        assertEquals(422, sideways.status());
        assertEquals("Validation", sideways.body().get("error_type").asText());
        assertThat(sideways.body().get("error").asText()).contains("truncation_direction").contains("sideways");
        // the same parameter on the routes that take it
        for (String route : List.of("/embed_all", "/similarity")) {
            String body = route.equals("/similarity")
                    ? "{\"inputs\": {\"source_sentence\": \"a\", \"sentences\": [\"b\"]}, \"parameters\": {\"truncation_direction\": 1}}"
                    : "{\"inputs\": \"x\", \"truncation_direction\": \"up\"}";
            assertEquals(422, post(http, server.url() + route, body).status(), route);
        }
    }

    /** Issue 16.3: dimensions keeps the first n values, then normalises (TEI), on /embed and /v1/embeddings. */
    @Test
    void dimensionsTruncateAndRenormalise() throws Exception {
        String text = TEXTS.get(0);
        float[] first128 = Arrays.copyOf(raw.get(0), 128);
        float[] tei = embedOne("{\"inputs\": " + json(text) + ", \"dimensions\": 128}");
        assertEquals(128, tei.length);
        assertClose(l2(first128), tei, 1e-5);
        assertEquals(1.0, norm(tei), 1e-5);
        assertClose(first128, embedOne("{\"inputs\": " + json(text) + ", \"dimensions\": 128, \"normalize\": false}"), 1e-5);

        var oai = post(http, server.url() + "/v1/embeddings", "{\"input\": " + json(text) + ", \"dimensions\": 128}");
        assertEquals(200, oai.status(), oai.raw().body());
        assertClose(l2(first128), floats(oai.body().get("data").get(0).get("embedding")), 1e-5);
        assertEquals(384, floats(post(http, server.url() + "/v1/embeddings", "{\"input\": \"x\", \"dimensions\": 384}")
                .body().get("data").get(0).get("embedding")).length);

        for (String bad : List.of("0", "385", "-1", "1.5", "\"128\"")) {
            var r = post(http, server.url() + "/embed", "{\"inputs\": \"x\", \"dimensions\": " + bad + "}");
            assertEquals(422, r.status(), "dimensions " + bad);
            assertEquals("Validation", r.body().get("error_type").asText());
            var o = post(http, server.url() + "/v1/embeddings", "{\"input\": \"x\", \"dimensions\": " + bad + "}");
            assertEquals(422, o.status(), "OpenAI dimensions " + bad);
            assertThat(o.body().get("error").get("message").asText()).contains("dimensions");
        }
    }

    /** Issue 16.4: the limit is sentence-transformers' max_seq_length (256), reported by /info, 422 above it unless truncate. */
    @Test
    void theSentenceTransformersLengthLimitIsEnforced() throws Exception {
        var info = get(http, server.url() + "/info");
        assertEquals(256, info.body().get("max_input_length").asInt());
        String at256 = "a ".repeat(254), at257 = "a ".repeat(255), at300 = "a ".repeat(298);
        assertEquals(200, post(http, server.url() + "/embed", "{\"inputs\": " + json(at256) + "}").status());
        for (String route : List.of("/embed", "/embed_all", "/v1/embeddings", "/models/minilm")) {
            String field = route.equals("/v1/embeddings") ? "input" : "inputs";
            var over = post(http, server.url() + route, "{\"" + field + "\": " + json(at257) + "}");
            assertEquals(422, over.status(), route + ": " + over.raw().body());
            assertThat(over.raw().body()).contains("257 tokens").contains("at most 256");
        }
        var tooLong = post(http, server.url() + "/embed", "{\"inputs\": [\"x\", " + json(at300) + "]}");
        assertThat(tooLong.body().get("error").asText()).contains("input 1 has 300 tokens");
        float[] truncated = embedOne("{\"inputs\": " + json(at300) + ", \"truncate\": true}");
        assertClose(embedOne("{\"inputs\": " + json(at256) + "}"), truncated, 1e-5);
    }

    /** Issue 16.8: TEI's /similarity and POST / on an embedding model; /predict and /rerank answer 424 there, as TEI. */
    @Test
    void similarityRootAndWhatAnEmbeddingModelRefuses() throws Exception {
        var sim = post(http, server.url() + "/similarity", "{\"inputs\": {\"source_sentence\": " + json(TEXTS.get(0))
                + ", \"sentences\": " + json(TEXTS.subList(1, 3)) + "}}");
        assertEquals(200, sim.status(), sim.raw().body());
        for (int i = 0; i < 2; i++) assertEquals(ServerFixtures.cosine(raw.get(0), raw.get(i + 1)), sim.body().get(i).asDouble(), 1e-5);
        var root = post(http, server.url() + "/", "{\"inputs\": " + json(TEXTS) + ", \"normalize\": false}");
        assertEquals(3, root.body().size(), "POST / on an embedding model is /embed");
        assertClose(raw.get(2), floats(root.body().get(2)), 1e-5);
        for (String[] r : new String[][] {{"/predict", "{\"inputs\": \"x\"}"}, {"/rerank", "{\"query\": \"x\", \"texts\": [\"y\"]}"}}) {
            var refused = post(http, server.url() + r[0], r[1]);
            assertEquals(424, refused.status(), r[0]);
            assertEquals("Backend", refused.body().get("error_type").asText());
        }
    }

    /** What the server does not do is refused, not answered differently: token-id inputs, sentence-transformers prompts. */
    @Test
    void tokenIdInputsAndPromptsAreRefused() throws Exception {
        for (String[] r : new String[][] {{"/embed", "{\"inputs\": [[101, 7592, 102]]}", "token-id"},
                {"/embed", "{\"inputs\": [101, 7592, 102]}", "token-id"},
                {"/embed", "{\"inputs\": \"x\", \"prompt_name\": \"query\"}", "prompt_name"},
                {"/embed_all", "{\"inputs\": \"x\", \"prompt_name\": \"query\"}", "prompt_name"},
                {"/tokenize", "{\"inputs\": \"x\", \"prompt_name\": \"query\"}", "prompt_name"},
                {"/models/minilm", "{\"inputs\": \"x\", \"prompt_name\": \"query\"}", "prompt_name"},
                {"/similarity", "{\"inputs\": {\"source_sentence\": \"a\", \"sentences\": [\"b\"]}, \"parameters\": {\"prompt_name\": \"q\"}}", "prompt_name"}}) {
            var refused = post(http, server.url() + r[0], r[1]);
            assertEquals(422, refused.status(), r[0] + " " + r[1]);
            assertThat(refused.body().get("error").asText()).contains(r[2]);
        }
    }

    @Test
    void openAiTokenInputsAndUnknownModels() throws Exception {
        assertEquals(422, post(http, server.url() + "/v1/embeddings", "{\"input\": [[1, 2, 3]]}").status());
        var unknown = post(http, server.url() + "/v1/embeddings", "{\"input\": \"x\", \"model\": \"gpt\"}");
        assertEquals(404, unknown.status());
        assertEquals("NotFound", unknown.body().get("error").get("type").asText(), "OpenAI's error shape");
        assertThat(unknown.body().get("error").get("message").asText()).contains("\"gpt\" is not served");
    }

    @Test
    void tokenizeDecodeInfoHealthMetrics() throws Exception {
        var t = post(http, server.url() + "/tokenize", "{\"inputs\": \"Hello world\"}");
        JsonNode toks = t.body().get(0);
        assertEquals("[CLS]", toks.get(0).get("text").asText());
        assertTrue(toks.get(0).get("special").asBoolean());
        assertTrue(toks.get(0).get("start").isNull());
        assertEquals("Hello", toks.get(1).get("text").asText());
        assertEquals(0, toks.get(1).get("start").asInt());
        assertEquals(5, toks.get(1).get("stop").asInt());
        List<Integer> ids = new ArrayList<>();
        toks.forEach(x -> ids.add(x.get("id").asInt()));
        var d = post(http, server.url() + "/decode", "{\"ids\": " + ids + "}");
        assertEquals("hello world", d.body().get(0).asText());
        var info = get(http, server.url() + "/info");
        assertEquals("minilm", info.body().get("model_id").asText());
        assertEquals("mean", info.body().get("model_type").get("embedding").get("pooling").asText());
        assertEquals(200, get(http, server.url() + "/health").status());
        var metrics = get(http, server.url() + "/metrics");
        assertThat(metrics.raw().body()).contains("distil4j_requests_total{").contains("distil4j_batch_size_bucket");
    }

    /** Issue 16.8: TEI's offsets are UTF-8 byte offsets (the Rust tokenizer's), and text is the input's slice. */
    @Test
    void tokenizeGivesUtf8ByteOffsets() throws Exception {
        String text = "Café naïve 🙂 déjà";
        var t = post(http, server.url() + "/tokenize", "{\"inputs\": " + json(text) + ", \"add_special_tokens\": false}");
        assertEquals(200, t.status(), t.raw().body());
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int checked = 0;
        for (JsonNode tok : t.body().get(0)) {
            if (tok.get("special").asBoolean()) continue;
            int start = tok.get("start").asInt(), stop = tok.get("stop").asInt();
            assertEquals(new String(utf8, start, stop - start, StandardCharsets.UTF_8), tok.get("text").asText(), tok.toString());
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(4);
        JsonNode naive = null;
        for (JsonNode tok : t.body().get(0)) if (tok.get("text").asText().startsWith("na")) naive = tok;
        assertEquals(6, naive.get("start").asInt(), "byte offset: 'é' is two bytes (the code point offset would be 5)");
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
        assertEquals("Empty", empty.body().get("error_type").asText());
        var wrongType = post(http, m, "{\"inputs\": 42}");
        assertEquals(422, wrongType.status());
        assertEquals("Validation", wrongType.body().get("error_type").asText());
        assertEquals(422, post(http, m, "{\"inputs\": \"x\", \"parameters\": {\"top_k\": \"many\"}}").status());
        var emptyList = post(http, server.url() + "/embed", "{\"inputs\": []}");
        assertEquals(400, emptyList.status());
        assertEquals("Empty", emptyList.body().get("error_type").asText());
        assertEquals(422, post(http, server.url() + "/embed", "{\"inputs\": [1]}").status());
        assertEquals(404, post(http, server.url() + "/models/no-such-model", "{\"inputs\": \"x\"}").status());
        var big = post(http, server.url() + "/embed", "{\"inputs\": \"" + "word ".repeat(1000) + "\"}");
        assertEquals(413, big.status());
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 33; i++) many.add("x");
        var tooMany = post(http, server.url() + "/embed", "{\"inputs\": " + json(many) + "}");
        assertEquals(422, tooMany.status());
        assertThat(tooMany.body().get("error").asText()).contains("batch size 33 > maximum allowed batch size 32");
        for (var r : List.of(bad, empty, wrongType, big, tooMany)) {
            assertThat(r.raw().body()).doesNotContain("Exception").doesNotContain("java.");
        }
    }
}
