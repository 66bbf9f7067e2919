package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.pipeline.TextClassification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.distil4j.server.ServerFixtures.JSON;
import static dev.distil4j.server.ServerFixtures.get;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * text-embeddings-inference's routes on the model types TEI knows: a classifier ({@code /predict},
 * its batch form), a cross-encoder ({@code /rerank}), a masked-language model ({@code /embed_sparse},
 * SPLADE against transformers' logits); 424 where TEI answers it; {@code POST /}; the health checks;
 * {@code /metrics} without the API key.
 */
class TeiRoutesTest {
    static final String KEY = "k3y";
    static InferenceServer classifier, reranker, mlm;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        ServerOptions keyed = ServerOptions.builder().port(0).apiKey(KEY).build();
        classifier = InferenceServer.start(Map.of("cls", shared("fixtures/models/distilbert-seqcls")), keyed);
        // a BertForSequenceClassification with one label: the shape of a cross-encoder
        reranker = InferenceServer.start(Map.of("cross", shared("fixtures/training/models/bert-regression")), keyed);
        mlm = InferenceServer.start(Map.of("mlm", shared("fixtures/models/distilbert-mlm")), keyed);
    }

    @AfterAll
    static void stop() {
        classifier.close();
        reranker.close();
        mlm.close();
    }

    static ServerFixtures.Response call(InferenceServer s, String route, String body) throws IOException, InterruptedException {
        return post(http, s.url() + route, body, KEY);
    }

    static List<String> labels(JsonNode predictions) {
        List<String> out = new ArrayList<>();
        predictions.forEach(p -> out.add(p.get("label").asText()));
        return out;
    }

    /** Issue 16.8: a single input (a text, [text] or [text, pair]) gets one list; the batch form [[...], [...]] a list per input. */
    @Test
    void predictTakesTeisSingleAndBatchForms() throws Exception {
        var single = call(classifier, "/predict", "{\"inputs\": \"I love this movie!\"}");
        assertEquals(200, single.status(), single.raw().body());
        assertEquals(List.of("POSITIVE", "NEGATIVE"), labels(single.body()));
        assertEquals(0.8404206037521362, single.body().get(0).get("score").asDouble(), 1e-5);
        var pair = call(classifier, "/predict", "{\"inputs\": [\"How old are you?\", \"I am six years old.\"]}");
        assertEquals(0.7061315178871155, pair.body().get(0).get("score").asDouble(), 1e-5, "a [text, pair] is one pair");
        var one = call(classifier, "/predict", "{\"inputs\": [\"I love this movie!\"]}");
        assertEquals(single.body(), one.body(), "[text] is a single input");

        var batch = call(classifier, "/predict",
                "{\"inputs\": [[\"I love this movie!\"], [\"How old are you?\", \"I am six years old.\"], [\"x\"]]}");
        assertEquals(200, batch.status(), batch.raw().body());
        assertEquals(3, batch.body().size());
        assertEquals(single.body(), batch.body().get(0));
        assertEquals(pair.body(), batch.body().get(1));
        assertEquals(2, batch.body().get(2).size());
        var batchOfOne = call(classifier, "/predict", "{\"inputs\": [[\"I love this movie!\"]]}");
        assertEquals(1, batchOfOne.body().size());
        assertEquals(single.body(), batchOfOne.body().get(0));

        var raw = call(classifier, "/predict", "{\"inputs\": \"I love this movie!\", \"raw_scores\": true}");
        double p = 1 / (1 + Math.exp(raw.body().get(1).get("score").asDouble() - raw.body().get(0).get("score").asDouble()));
        assertEquals(single.body().get(0).get("score").asDouble(), p, 1e-5, "raw_scores are the logits the softmax came from");

        var three = call(classifier, "/predict", "{\"inputs\": [\"a\", \"b\", \"c\"]}");
        assertEquals(422, three.status());
        assertThat(three.body().get("error").asText()).contains("[[text], [text, text_pair], ...]");
        assertEquals("Empty", call(classifier, "/predict", "{\"inputs\": []}").body().get("error_type").asText());
    }

    /** Issue 16.2 on /predict: truncation_direction picks the end that is cut (the tiny model takes 64 tokens). */
    @Test
    void predictTruncatesOnTheSideAsked() throws Exception {
        String text = "love ".repeat(40) + "movie ".repeat(40);   // 82 tokens with [CLS] and [SEP]
        String right = call(classifier, "/predict", "{\"inputs\": \"" + text + "\", \"truncate\": true}").raw().body();
        String left = call(classifier, "/predict", "{\"inputs\": \"" + text + "\", \"truncate\": true, \"truncation_direction\": \"Left\"}")
                .raw().body();
        assertEquals(call(classifier, "/predict", "{\"inputs\": \"" + "love ".repeat(40) + "movie ".repeat(22) + "\"}").raw().body(), right);
        assertEquals(call(classifier, "/predict", "{\"inputs\": \"" + "love ".repeat(22) + "movie ".repeat(40) + "\"}").raw().body(), left);
        assertThat(left).isNotEqualTo(right);
        assertEquals(422, call(classifier, "/predict", "{\"inputs\": \"" + text + "\"}").status(), "82 tokens > 64 without truncate");
    }

    /** Issue 16.8: TEI answers 424 ("Backend") when the model cannot serve the route. */
    @Test
    void routesTheModelCannotServeAre424() throws Exception {
        var predict = call(mlm, "/predict", "{\"inputs\": \"x\"}");
        assertEquals(424, predict.status());
        assertEquals("Backend", predict.body().get("error_type").asText());
        assertThat(predict.body().get("error").asText()).contains("Model is not a classifier model");
        var rerank = call(classifier, "/rerank", "{\"query\": \"q\", \"texts\": [\"a\"]}");
        assertEquals(424, rerank.status());
        assertThat(rerank.body().get("error").asText()).contains("model is not a re-ranker model").contains("2 labels");
        var sparse = call(classifier, "/embed_sparse", "{\"inputs\": \"x\"}");
        assertEquals(424, sparse.status());
        assertThat(sparse.body().get("error").asText()).contains("SPLADE");
    }

    /** Issue 16.8: /rerank on a cross-encoder: sigmoid of the (query, text) logit, best first, as TEI. */
    @Test
    void rerankScoresQueryTextPairs() throws Exception {
        String query = "Where is the cat?";
        List<String> texts = List.of("The cat sleeps on the warm mat.", "Anna wrote the letter.", "The cat is here.");
        float[] logits = new float[texts.size()];
        try (var pm = dev.distil4j.pipeline.PipelineModel.load(shared("fixtures/training/models/bert-regression"))) {
            TextClassification tc = new TextClassification(pm);
            var opts = TextClassification.Options.defaults().withFunction(TextClassification.Function.NONE);
            for (int i = 0; i < texts.size(); i++) logits[i] = tc.classify(TextClassification.Input.pair(query, texts.get(i)), opts).get(0).score();
        }
        var r = call(reranker, "/rerank", "{\"query\": " + JSON.valueToTree(query) + ", \"texts\": " + JSON.valueToTree(texts)
                + ", \"return_text\": true}");
        assertEquals(200, r.status(), r.raw().body());
        assertEquals(3, r.body().size());
        double previous = Double.MAX_VALUE;
        for (JsonNode rank : r.body()) {
            int i = rank.get("index").asInt();
            assertEquals(1 / (1 + Math.exp(-logits[i])), rank.get("score").asDouble(), 1e-5, "text " + i);
            assertEquals(texts.get(i), rank.get("text").asText());
            assertThat(rank.get("score").asDouble()).isLessThanOrEqualTo(previous);
            previous = rank.get("score").asDouble();
        }
        var raw = call(reranker, "/rerank", "{\"query\": " + JSON.valueToTree(query) + ", \"texts\": " + JSON.valueToTree(texts)
                + ", \"raw_scores\": true}");
        for (JsonNode rank : raw.body()) {
            assertEquals(logits[rank.get("index").asInt()], rank.get("score").asDouble(), 1e-5);
            assertTrue(!rank.has("text"), "text only with return_text");
        }
        var predict = call(reranker, "/predict", "{\"inputs\": [" + JSON.valueToTree(query) + ", " + JSON.valueToTree(texts.get(0)) + "]}");
        assertEquals(1 / (1 + Math.exp(-logits[0])), predict.body().get(0).get("score").asDouble(), 1e-5, "/predict on a re-ranker");
        assertEquals("reranker", get(http, reranker.url() + "/info", KEY).body().get("model_type").fieldNames().next());
    }

    /** Issue 16.8: /embed_sparse on a masked-language model: max over tokens of log(1 + relu(logits)), from transformers' logits. */
    @Test
    void embedSparseIsSpladeOverTheMlmLogits() throws Exception {
        JsonNode c = ServerFixtures.readJson(shared("fixtures/goldens/distilbert-mlm/cases.json")).get("cases").get(1);
        assertEquals("single_sentence", c.get("name").asText());
        JsonNode out = c.get("outputs").get("logits");
        int t = out.get("shape").get(1).asInt(), v = out.get("shape").get(2).asInt();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(shared("fixtures/goldens/distilbert-mlm/" + out.get("file").asText())))
                .order(ByteOrder.LITTLE_ENDIAN).position(out.get("data_offset").asInt());
        float[] expected = new float[v];
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < v; j++) expected[j] = Math.max(expected[j], (float) Math.log1p(Math.max(0, b.getFloat())));
        }
        var r = call(mlm, "/embed_sparse", "{\"inputs\": " + JSON.valueToTree(c.get("texts").get(0).asText()) + "}");
        assertEquals(200, r.status(), r.raw().body());
        float[] got = new float[v];
        int nonZero = 0;
        for (JsonNode e : r.body().get(0)) {
            got[e.get("index").asInt()] = e.get("value").floatValue();
            assertTrue(e.get("value").floatValue() != 0, "only non-zero values are listed");
            nonZero++;
        }
        ServerFixtures.assertClose(expected, got, 1e-4);
        assertThat(nonZero).isBetween(1, v - 1);
    }

    /** Issue 16.8: POST / is TEI's route for the model's type, unless the body is huggingface_hub's {inputs, parameters}. */
    @Test
    void rootRouteFollowsTheModelType() throws Exception {
        var tei = call(classifier, "/", "{\"inputs\": \"I love this movie!\"}");
        assertEquals(call(classifier, "/predict", "{\"inputs\": \"I love this movie!\"}").body(), tei.body());
        var hub = call(classifier, "/", "{\"inputs\": \"I love this movie!\", \"parameters\": {}}");
        assertEquals(2, hub.body().get(0).size(), "the Inference API's [[{label, score}, ...]]");
        assertEquals("POSITIVE", hub.body().get(0).get(0).get("label").asText());
        var rerank = call(reranker, "/", "{\"query\": \"q\", \"texts\": [\"a\", \"b\"]}");
        assertEquals(2, rerank.body().size());
        assertTrue(rerank.body().get(0).has("index"));
        var fillMask = call(mlm, "/", "{\"inputs\": \"hello [MASK].\", \"parameters\": {\"top_k\": 2}}");
        assertEquals(200, fillMask.status(), fillMask.raw().body());
        assertEquals(2, fillMask.body().size());
        assertTrue(fillMask.body().get(0).has("token_str"));
    }

    /** Issue 16.8: /health, /ping and GET / answer 200 with an empty body and no key; /metrics needs no key unless --protect-metrics. */
    @Test
    void healthChecksAndMetricsNeedNoKey() throws Exception {
        for (String route : List.of("/health", "/ping", "/")) {
            var r = get(http, classifier.url() + route);
            assertEquals(200, r.status(), route);
            assertEquals("", r.raw().body(), route + " has an empty body, as TEI's");
        }
        var metrics = get(http, classifier.url() + "/metrics");
        assertEquals(200, metrics.status());
        assertThat(metrics.raw().body()).contains("distil4j_requests_total");
        assertEquals(401, get(http, classifier.url() + "/info").status(), "other routes keep the key");
        ServerOptions protect = ServerOptions.builder().port(0).apiKey(KEY).protectMetrics(true).build();
        try (InferenceServer s = InferenceServer.start(Map.of("cls", shared("fixtures/models/distilbert-seqcls")), protect)) {
            assertEquals(401, get(http, s.url() + "/metrics").status());
            assertEquals(200, get(http, s.url() + "/metrics", KEY).status());
        }
    }
}
