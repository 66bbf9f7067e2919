package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.pipeline.Embeddings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.distil4j.server.ServerFixtures.JSON;
import static dev.distil4j.server.ServerFixtures.diff;
import static dev.distil4j.server.ServerFixtures.floats;
import static dev.distil4j.server.ServerFixtures.get;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Issues 16.5-16.7: {@code POST /models/{id}} answers as the hosted Inference API (every label, best
 * first, nested per input; entities grouped by default; sentence similarity), the routes that
 * huggingface_hub's {@code InferenceApi} and {@code InferenceClient(base_url=...)} call exist, and
 * {@code /transformers/{id}} keeps the pipeline's shapes. Expected values are transformers' goldens.
 */
class HostedInferenceApiTest {
    @TempDir
    static Path tmp;
    static InferenceServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Map<String, Path> models = ServerFixtures.tinyModels(tmp, "roberta-seqcls", "distilbert-tokcls", "distilbert-mlm", "distilbert-qa");
        models.put("minilm", shared("real/all-MiniLM-L6-v2"));
        server = InferenceServer.start(models, ServerOptions.builder().port(0).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ServerFixtures.Response call(String route, Object inputs, JsonNode parameters) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.set("inputs", JSON.valueToTree(inputs));
        if (parameters != null) body.set("parameters", parameters);
        var r = post(http, server.url() + route, body.toString());
        assertEquals(200, r.status(), route + ": " + r.raw().body());
        return r;
    }

    static void assertJson(JsonNode expected, JsonNode actual, String what) {
        assertNull(diff(expected, actual, 1e-5, "$"), what);
    }

    /** Issue 16.6: every label, best first, one list per input ([[...]]) even for one text; top_k still limits. */
    @Test
    void textClassificationGivesEveryLabelNestedPerInput() throws Exception {
        JsonNode goldens = ServerFixtures.readJson(shared("fixtures/goldens/roberta-seqcls/text_classification.json"));
        List<String> texts = new ArrayList<>();
        ArrayNode allNested = JSON.createArrayNode();
        for (JsonNode g : goldens) {
            String text = g.get("input").asText();
            texts.add(text);
            allNested.add(g.get("result_all_scores"));
            assertJson(JSON.createArrayNode().add(g.get("result_all_scores")), call("/models/roberta-seqcls", text, null).body(), text);
            ArrayNode top2 = JSON.createArrayNode();
            top2.addArray().add(g.get("result_all_scores").get(0)).add(g.get("result_all_scores").get(1));
            assertJson(top2, call("/models/roberta-seqcls", text, JSON.createObjectNode().put("top_k", 2)).body(), text + " top_k 2");
            assertJson(g.get("result"), call("/transformers/roberta-seqcls", text, null).body(), "the pipeline's shape stays on /transformers");
        }
        assertThat(texts).hasSizeGreaterThan(1);
        assertJson(allNested, call("/models/roberta-seqcls", texts, null).body(), "a list of texts");
    }

    /** Issue 16.6: entities are grouped ("simple") unless the request asks for another aggregation. */
    @Test
    void tokenClassificationGroupsEntitiesByDefault() throws Exception {
        JsonNode tok = ServerFixtures.readJson(shared("fixtures/goldens/distilbert-tokcls/token_classification.json"));
        int checked = 0;
        for (JsonNode t : tok.get("texts")) {
            for (JsonNode r : t.get("runs")) {
                if (!r.get("source").asText().equals("pipeline/fast-emulated") || r.get("kwargs").size() != 1) continue;
                String strategy = r.get("kwargs").get("aggregation_strategy").asText();
                if (strategy.equals("simple")) {
                    assertJson(r.get("result"), call("/models/distilbert-tokcls", t.get("text").asText(), null).body(), "default");
                    checked++;
                } else if (strategy.equals("none")) {
                    assertJson(r.get("result"), call("/models/distilbert-tokcls", t.get("text").asText(), r.get("kwargs")).body(), "none");
                    assertJson(r.get("result"), call("/transformers/distilbert-tokcls", t.get("text").asText(), null).body(),
                            "the pipeline's default stays on /transformers");
                }
            }
        }
        assertThat(checked).isGreaterThan(2);
    }

    /** Fill-mask and question answering have the same shapes on the hosted API as in the pipeline. */
    @Test
    void fillMaskAndQuestionAnsweringAsThePipeline() throws Exception {
        JsonNode fm = ServerFixtures.readJson(shared("fixtures/goldens/distilbert-mlm/fill_mask.json")).get(0);
        assertJson(fm.get("result"), call("/models/distilbert-mlm", fm.get("input"), JSON.createObjectNode().put("top_k", fm.get("top_k").asInt())).body(),
                "fill-mask");
        JsonNode qa = ServerFixtures.readJson(shared("fixtures/goldens/distilbert-qa/question_answering.json")).get("cases").get(0);
        for (JsonNode r : qa.get("runs")) {
            if (!r.get("source").asText().equals("pipeline/fast-emulated") || r.has("error")) continue;
            ObjectNode in = JSON.createObjectNode().put("question", qa.get("question").asText()).put("context", qa.get("context").asText());
            assertJson(r.get("result"), call("/models/distilbert-qa", in, r.get("kwargs")).body(), "question answering " + r.get("kwargs"));
        }
    }

    /** Issue 16.7: sentence-similarity inputs on a sentence-transformers model: cosine of each sentence with the source. */
    @Test
    void sentenceSimilarityOnASentenceTransformersModel() throws Exception {
        String source = "A man is eating food.";
        List<String> sentences = List.of("A man is eating a piece of bread.", "A man is riding a horse.", "The girl is carrying a baby.");
        List<float[]> v;
        try (Embeddings e = Embeddings.load(shared("real/all-MiniLM-L6-v2"))) {
            List<String> all = new ArrayList<>(List.of(source));
            all.addAll(sentences);
            v = e.sentences(all);
        }
        ObjectNode in = JSON.createObjectNode().put("source_sentence", source);
        in.set("sentences", JSON.valueToTree(sentences));
        for (String route : List.of("/models/minilm", "/models/minilm/pipeline/sentence-similarity", "/pipeline/sentence-similarity/minilm")) {
            JsonNode scores = call(route, in, null).body();
            assertEquals(3, scores.size(), route);
            for (int i = 0; i < 3; i++) assertEquals(ServerFixtures.cosine(v.get(0), v.get(i + 1)), scores.get(i).asDouble(), 1e-5, route);
            assertThat(scores.get(0).asDouble()).as("the closest sentence").isGreaterThan(scores.get(1).asDouble());
        }
        var onAClassifier = post(http, server.url() + "/models/roberta-seqcls/pipeline/sentence-similarity", JSON.createObjectNode().set("inputs", in).toString());
        assertEquals(424, onAClassifier.status());
        assertEquals(422, post(http, server.url() + "/models/minilm", "{\"inputs\": {\"source_sentence\": \"a\"}}").status());
    }

    /** Feature extraction on a sentence-transformers model takes TEI's parameters at the top level, as huggingface_hub sends them. */
    @Test
    void featureExtractionTakesTeisParameters() throws Exception {
        JsonNode one = call("/models/minilm", "hello", null).body();
        assertEquals(384, one.size(), "a single text: one vector");
        assertEquals(1.0, ServerFixtures.norm(floats(one)), 1e-5);
        var raw = post(http, server.url() + "/models/minilm", "{\"inputs\": [\"hello\", \"world\"], \"normalize\": false, \"dimensions\": 64}");
        assertEquals(200, raw.status(), raw.raw().body());
        assertEquals(2, raw.body().size());
        assertEquals(64, raw.body().get(0).size());
        assertThat(ServerFixtures.norm(floats(raw.body().get(0)))).isGreaterThan(1.5);
        var tokens = call("/pipeline/feature-extraction/distilbert-mlm", "hello world", null).body();
        assertEquals(1, tokens.size(), "[1, tokens, hidden] as the pipeline");
        assertEquals(4, tokens.get(0).size());
        assertEquals(32, tokens.get(0).get(0).size());
        assertEquals(tokens, call("/models/distilbert-mlm/pipeline/feature-extraction", "hello world", null).body());
    }

    /** Issue 16.5: what huggingface_hub's InferenceApi calls: GET /api/models/{id}, then POST /pipeline/{task}/{id}. */
    @Test
    void inferenceApiRoutes() throws Exception {
        var info = get(http, server.url() + "/api/models/roberta-seqcls");
        assertEquals(200, info.status());
        assertEquals("application/json", info.raw().headers().firstValue("Content-Type").orElse(""),
                "InferenceApi parses only an exact application/json");
        assertEquals("roberta-seqcls", info.body().get("id").asText());
        assertEquals("text-classification", info.body().get("pipeline_tag").asText());
        assertEquals("transformers", info.body().get("library_name").asText());
        List<String> files = new ArrayList<>();
        info.body().get("siblings").forEach(f -> files.add(f.get("rfilename").asText()));
        assertThat(files).contains("config.json", "model.safetensors");

        var st = get(http, server.url() + "/api/models/minilm/revision/main");
        assertEquals("sentence-similarity", st.body().get("pipeline_tag").asText(), "as the hub tags sentence-transformers models");
        assertEquals("sentence-transformers", st.body().get("library_name").asText());
        assertThat(st.body().get("siblings").toString()).contains("1_Pooling/config.json");
        assertEquals(404, get(http, server.url() + "/api/models/nope").status());

        ObjectNode body = JSON.createObjectNode().put("inputs", "I love this movie!");
        body.putObject("options").put("wait_for_model", true).put("use_gpu", false);
        var viaPipeline = post(http, server.url() + "/pipeline/text-classification/roberta-seqcls", body.toString());
        assertEquals(200, viaPipeline.status(), viaPipeline.raw().body());
        assertEquals(call("/models/roberta-seqcls", "I love this movie!", null).body(), viaPipeline.body());
        var wrongTask = post(http, server.url() + "/pipeline/fill-mask/roberta-seqcls", "{\"inputs\": \"x\"}");
        assertEquals(424, wrongTask.status());
        assertThat(wrongTask.body().get("error").asText()).contains("serves text-classification, not fill-mask");
    }

    /** Issue 16.5: InferenceClient(base_url=...) posts {inputs, parameters} to POST /: the first model's hosted answer. */
    @Test
    void inferenceClientPostsToTheRoot() throws Exception {
        var all = call("/", "I love this movie!", JSON.createObjectNode());
        assertEquals(call("/models/roberta-seqcls", "I love this movie!", null).body(), all.body());
        assertEquals(3, all.body().get(0).size());
        assertEquals(2, call("/", "I love this movie!", JSON.createObjectNode().put("top_k", 2)).body().get(0).size());
    }
}
