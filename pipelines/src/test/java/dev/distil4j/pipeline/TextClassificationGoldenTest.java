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

/** Every run of text_classification.json and text_classification_extra.json. */
class TextClassificationGoldenTest {
    static final String[] MODELS = {"distilbert-seqcls", "roberta-seqcls"};
    static final Map<String, PipelineModel> LOADED = new HashMap<>();

    @BeforeAll
    static void load() {
        for (String m : MODELS) LOADED.put(m, PipelineModel.load(Shared.path("fixtures/models/" + m)));
    }

    @AfterAll
    static void close() {
        LOADED.values().forEach(PipelineModel::close);
    }

    /** (model, name, inputs, parameters, expected) for every golden run. */
    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (String m : MODELS) {
            JsonNode basic = Shared.json("fixtures/goldens/" + m + "/text_classification.json");
            for (int i = 0; i < basic.size(); i++) {
                JsonNode r = basic.get(i);
                out.add(Arguments.of(m, "basic #" + i, r.get("input"), HfJson.object(), r.get("result")));
                ObjectNode all = HfJson.object();
                all.putNull("top_k");
                out.add(Arguments.of(m, "basic #" + i + " top_k=None", r.get("input"), all, r.get("result_all_scores")));
            }
            JsonNode extra = Shared.json("fixtures/goldens/" + m + "/text_classification_extra.json").get("runs");
            for (int i = 0; i < extra.size(); i++) {
                JsonNode r = extra.get(i);
                out.add(Arguments.of(m, "extra #" + i + " " + r.get("kwargs"), r.get("inputs"), r.get("kwargs"), r.get("result")));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("runs")
    void matchesThePipeline(String model, String name, JsonNode inputs, JsonNode parameters, JsonNode expected) {
        assertThat(expected).as("every golden run has a result").isNotNull();
        JsonNode got = new TextClassification(LOADED.get(model)).callHf(inputs, parameters);
        assertThat(Shared.diff(expected, got, 1e-5)).as("%s %s", model, name).isEmpty();
    }

    @Test
    void javaApi() {
        TextClassification tc = new TextClassification(LOADED.get("roberta-seqcls"));
        assertThat(tc.labels()).containsExactly("contradiction", "neutral", "entailment");
        assertThat(tc.defaultFunction()).isEqualTo(TextClassification.Function.SOFTMAX);
        List<TextClassification.LabelScore> top = tc.classify("I love this movie!");
        assertThat(top).hasSize(1);
        assertThat(top.get(0).label()).isEqualTo("neutral");
        assertThat(top.get(0).score()).isCloseTo(0.43990397f, org.assertj.core.data.Offset.offset(1e-5f));
        List<TextClassification.LabelScore> all = tc.classify(TextClassification.Input.pair("How old are you?", "I am six years old."),
                TextClassification.Options.defaults().withTopK(TextClassification.ALL));
        assertThat(all).extracting(TextClassification.LabelScore::label).containsExactly("entailment", "neutral", "contradiction");
        assertThat(all.get(0).score()).isCloseTo(0.46026972f, org.assertj.core.data.Offset.offset(1e-5f));
    }

    @Test
    void badInputs() {
        TextClassification tc = new TextClassification(LOADED.get("distilbert-seqcls"));
        String longText = "This movie was long, slow and boring. ".repeat(20);
        assertThatThrownBy(() -> tc.classify(longText)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than the model's maximum of 64").hasMessageContaining("truncat");
        assertThat(tc.classify(longText, TextClassification.Options.defaults().withTruncation(true))).hasSize(1);
        assertThat(tc.classify("")).hasSize(1); // as transformers: [CLS] [SEP] is classified
        assertThatThrownBy(() -> TextClassification.Function.parse("relu")).hasMessageContaining("softmax, sigmoid or none");
        assertThatThrownBy(() -> tc.callHf(HfJson.MAPPER.valueToTree(List.of(List.of("a", "b"))), null))
                .hasMessageContaining("text_pair");
        assertThatThrownBy(() -> tc.callHf(HfJson.MAPPER.valueToTree("x"), HfJson.MAPPER.valueToTree(Map.of("topk", 1))))
                .hasMessageContaining("unknown text-classification parameter \"topk\"");
    }
}
