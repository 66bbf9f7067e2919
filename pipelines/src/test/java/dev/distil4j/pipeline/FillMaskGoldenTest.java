package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every run of fill_mask.json and fill_mask_extra.json, through the Java API and the HF JSON rendering. */
class FillMaskGoldenTest {
    static final String[] MODELS = {"distilbert-mlm", "roberta-mlm"};
    static final Map<String, PipelineModel> LOADED = new HashMap<>();

    @BeforeAll
    static void load() {
        for (String m : MODELS) LOADED.put(m, PipelineModel.load(Shared.path("fixtures/models/" + m)));
    }

    @AfterAll
    static void close() {
        LOADED.values().forEach(PipelineModel::close);
    }

    /** (model, file, index, run) for every golden run: the kwargs are the Inference API's parameters. */
    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (String m : MODELS) {
            for (String file : new String[] {"fill_mask.json", "fill_mask_extra.json"}) {
                JsonNode runs = Shared.json("fixtures/goldens/" + m + "/" + file);
                for (int i = 0; i < runs.size(); i++) out.add(Arguments.of(m, file, i, runs.get(i)));
            }
        }
        return out.stream();
    }

    static ObjectNode parameters(JsonNode run) {
        ObjectNode p = HfJson.object();
        if (run.has("kwargs")) p.setAll((ObjectNode) run.get("kwargs"));
        if (run.has("top_k")) p.set("top_k", run.get("top_k"));
        return p;
    }

    @ParameterizedTest(name = "{0} {1} #{2}")
    @MethodSource("runs")
    void matchesThePipeline(String model, String file, int index, JsonNode run) {
        FillMask fm = new FillMask(LOADED.get(model));
        assertThat(run.has("error")).as("no golden run here is an error").isFalse();
        JsonNode got = fm.callHf(run.get("input"), parameters(run));
        assertThat(Shared.diff(run.get("result"), got, 1e-5)).as("%s %s #%d %s", model, file, index, run.get("input")).isEmpty();
        if (run.has("resolved_target_ids")) {
            FillMask.HfRequest req = FillMask.HfRequest.parse(run.get("input"), parameters(run));
            int[] ids = fm.resolveTargets(req.options().targets()).ids();
            assertThat(HfJson.MAPPER.valueToTree(ids).toString()).isEqualTo(run.get("resolved_target_ids").toString());
        }
    }

    @Test
    void batchedAndSingleRunsAgree() {
        for (String m : MODELS) {
            FillMask one = new FillMask(LOADED.get(m), 1);
            FillMask many = new FillMask(LOADED.get(m), 8);
            JsonNode runs = Shared.json("fixtures/goldens/" + m + "/fill_mask_extra.json");
            List<String> texts = new ArrayList<>();
            for (JsonNode r : runs) if (!r.get("kwargs").has("targets")) texts.add(r.get("input").asText());
            List<FillMask.Result> batched = many.predictBatch(texts, FillMask.Options.defaults().withTopK(10));
            for (int i = 0; i < texts.size(); i++) {
                FillMask.Result single = one.predict(texts.get(i), FillMask.Options.defaults().withTopK(10));
                JsonNode a = FillMask.toHfJson(single), b = FillMask.toHfJson(batched.get(i));
                assertThat(Shared.diff(a, b, 2e-6)).as("%s: %s", m, texts.get(i)).isEmpty();
            }
            // the golden's list form: a list of results, one per input
            JsonNode list = many.callHf(HfJson.MAPPER.valueToTree(texts), null);
            assertThat(list.size()).isEqualTo(texts.size());
        }
    }

    @Test
    void apiRecordsCarryTheValues() {
        FillMask fm = new FillMask(LOADED.get("distilbert-mlm"));
        FillMask.Result r = fm.predict("The capital of France is [MASK].");
        assertThat(r.singleMask()).isTrue();
        assertThat(r.first()).hasSize(5);
        assertThat(r.first().get(0).tokenStr()).isEqualTo("[UNK]");
        assertThat(r.first().get(0).sequence()).isEqualTo("the capital of france is.");
        assertThat(fm.maskToken()).isEqualTo("[MASK]");
    }

    @Test
    void badInputsAreClearErrors() {
        FillMask fm = new FillMask(LOADED.get("distilbert-mlm"));
        assertThatThrownBy(() -> fm.predict("no mask here")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no mask token ([MASK])");
        assertThatThrownBy(() -> fm.predict("")).hasMessageContaining("no mask token");
        assertThatThrownBy(() -> fm.predictBatch(List.of("a [MASK]", "b"), FillMask.Options.defaults()))
                .hasMessageStartingWith("input 1: no mask token");
        assertThatThrownBy(() -> fm.predict("[MASK] " + "word ".repeat(100))).hasMessageContaining("more than the model's maximum of 64");
        assertThatThrownBy(() -> fm.predict("[MASK] " + "word ".repeat(100_000)))
                .hasMessage("input is at least 1024 tokens, more than the model's maximum of 64");
        assertThatThrownBy(() -> fm.resolveTargets(List.of(""))).hasMessage("At least one target must be provided when passed.");
        assertThatThrownBy(() -> new FillMask(PipelineModel.load(Shared.path("fixtures/models/distilbert-seqcls"))))
                .hasMessageContaining("masked-language-model head");
    }

    @Test
    void pythonSetOrder() {
        assertThat(PySet.order(new int[] {184, 37, 204, 128})).containsExactly(184, 128, 204, 37);
        assertThat(PySet.order(new int[] {3, 1, 2, 1})).containsExactly(1, 2, 3);
        // the 5th value resizes the table to 32 slots, re-inserting in table order (checked against CPython)
        assertThat(PySet.order(new int[] {40, 9, 33, 1, 70, 2})).containsExactly(1, 33, 2, 70, 40, 9);
    }
}
