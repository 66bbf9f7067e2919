package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.distil4j.server.ServerFixtures.JSON;
import static dev.distil4j.server.ServerFixtures.diff;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code POST /transformers/{id}} answers every pipeline golden of every tiny model with exactly the
 * JSON transformers' pipeline returned (scores within 1e-5): one server serving all six models.
 * ({@code POST /models/{id}} answers as the hosted Inference API: {@link HostedInferenceApiTest}.)
 */
class InferenceApiGoldenTest {
    @TempDir
    static Path tmp;
    static InferenceServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Map<String, Path> models = ServerFixtures.tinyModels(tmp, "distilbert-mlm", "roberta-mlm", "distilbert-seqcls", "roberta-seqcls",
                "distilbert-tokcls", "distilbert-qa");
        server = InferenceServer.start(models, ServerOptions.builder().port(0).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Run(String model, String what, JsonNode inputs, JsonNode parameters, JsonNode expected, boolean error) {}

    static List<Run> runs() {
        List<Run> runs = new ArrayList<>();
        for (String m : List.of("distilbert-mlm", "roberta-mlm")) {
            for (JsonNode r : ServerFixtures.readJson(shared("fixtures/goldens/" + m + "/fill_mask.json"))) {
                runs.add(new Run(m, "fill_mask " + r.get("input"), r.get("input"), JSON.createObjectNode().put("top_k", r.get("top_k").asInt()),
                        r.get("result"), false));
            }
            for (JsonNode r : ServerFixtures.readJson(shared("fixtures/goldens/" + m + "/fill_mask_extra.json"))) {
                runs.add(new Run(m, "fill_mask_extra " + r.get("kwargs"), r.get("input"), r.get("kwargs"), r.get("result"), r.has("error")));
            }
        }
        for (String m : List.of("distilbert-seqcls", "roberta-seqcls")) {
            for (JsonNode r : ServerFixtures.readJson(shared("fixtures/goldens/" + m + "/text_classification.json"))) {
                runs.add(new Run(m, "text_classification", r.get("input"), JSON.createObjectNode(), r.get("result"), false));
                ObjectNode all = JSON.createObjectNode();
                all.putNull("top_k");
                runs.add(new Run(m, "text_classification all", r.get("input"), all, r.get("result_all_scores"), false));
            }
            for (JsonNode r : ServerFixtures.readJson(shared("fixtures/goldens/" + m + "/text_classification_extra.json")).get("runs")) {
                runs.add(new Run(m, "text_classification_extra " + r.get("kwargs"), r.get("inputs"), r.get("kwargs"),
                        r.get("result"), r.has("error")));
            }
        }
        JsonNode tok = ServerFixtures.readJson(shared("fixtures/goldens/distilbert-tokcls/token_classification.json"));
        for (JsonNode t : tok.get("texts")) {
            for (JsonNode r : t.get("runs")) {
                if (!r.get("source").asText().equals("pipeline/fast-emulated")) continue;
                runs.add(new Run("distilbert-tokcls", "token_classification " + t.get("i") + " " + r.get("kwargs"), t.get("text"),
                        r.get("kwargs"), r.get("result"), r.has("error")));
            }
        }
        for (JsonNode r : tok.get("batch_runs")) {
            if (!r.get("source").asText().equals("pipeline/fast-emulated")) continue;
            runs.add(new Run("distilbert-tokcls", "token_classification batch", r.get("inputs"), r.get("kwargs"), r.get("result"), false));
        }
        JsonNode qa = ServerFixtures.readJson(shared("fixtures/goldens/distilbert-qa/question_answering.json"));
        for (JsonNode c : qa.get("cases")) {
            for (JsonNode r : c.get("runs")) {
                if (!r.get("source").asText().equals("pipeline/fast-emulated")) continue;
                ObjectNode in = JSON.createObjectNode().put("question", c.get("question").asText()).put("context", c.get("context").asText());
                runs.add(new Run("distilbert-qa", "question_answering " + c.get("i") + " " + r.get("kwargs"), in, r.get("kwargs"),
                        r.get("result"), r.has("error")));
            }
        }
        for (JsonNode r : qa.get("batch_runs")) {
            if (!r.get("source").asText().equals("pipeline/fast-emulated")) continue;
            List<JsonNode> pairs = new ArrayList<>();
            for (int i = 0; i < r.get("question").size(); i++) {
                pairs.add(JSON.createObjectNode().put("question", r.get("question").get(i).asText())
                        .put("context", r.get("context").get(i).asText()));
            }
            runs.add(new Run("distilbert-qa", "question_answering batch", JSON.valueToTree(pairs), r.get("kwargs"), r.get("result"), false));
        }
        return runs;
    }

    @Test
    void everyGoldenRunThroughTheInferenceApi() throws Exception {
        List<Run> runs = runs();
        List<String> failures = new ArrayList<>();
        int ok = 0, refused = 0;
        for (Run r : runs) {
            ObjectNode body = JSON.createObjectNode();
            body.set("inputs", r.inputs);
            if (r.parameters != null) body.set("parameters", r.parameters);
            var resp = post(http, server.url() + "/transformers/" + r.model, body.toString());
            if (r.error) {
                if (resp.status() / 100 != 4) failures.add(r.model + " " + r.what + ": expected a 4xx refusal, got " + resp.status());
                else refused++;
                continue;
            }
            if (resp.status() != 200) {
                failures.add(r.model + " " + r.what + ": HTTP " + resp.status() + " " + resp.body());
                continue;
            }
            String d = diff(r.expected, resp.body(), 1e-5, "$");
            if (d != null) failures.add(r.model + " " + r.what + ": " + d);
            else ok++;
        }
        assertThat(failures).as("golden runs that differ").isEmpty();
        assertThat(ok).isGreaterThan(150);
        System.out.println("inference API: " + ok + " golden runs equal, " + refused + " refused as transformers refuses them");
    }

    /** The same answers through the real curl binary, one golden run per model, as a user would call it. */
    @Test
    void curlGetsTheGoldenJson() throws Exception {
        Map<String, Run> firstPerModel = new LinkedHashMap<>();
        for (Run r : runs()) if (!r.error) firstPerModel.putIfAbsent(r.model, r);
        assertEquals(6, firstPerModel.size());
        for (Run r : firstPerModel.values()) {
            ObjectNode body = JSON.createObjectNode();
            body.set("inputs", r.inputs);
            if (r.parameters != null) body.set("parameters", r.parameters);
            Process p = new ProcessBuilder("curl", "-sS", "--fail-with-body", "-X", "POST", server.url() + "/transformers/" + r.model,
                    "-H", "Content-Type: application/json", "-d", body.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "curl: " + out);
            String d = diff(r.expected, JSON.readTree(out), 1e-5, "$");
            assertEquals(null, d, r.model + " " + r.what);
        }
    }

    @Test
    void unknownModelIs404() throws Exception {
        for (String route : List.of("/models/nope", "/transformers/nope", "/pipeline/fill-mask/nope")) {
            var r = post(http, server.url() + route, "{\"inputs\": \"x\"}");
            assertEquals(404, r.status(), route);
            assertEquals("NotFound", r.body().get("error_type").asText());
            assertThat(r.body().get("error").asText()).contains("\"nope\" is not served here").contains("distilbert-mlm");
        }
    }
}
