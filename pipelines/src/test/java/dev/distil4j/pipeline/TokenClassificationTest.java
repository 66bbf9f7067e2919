package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.pipeline.TokenClassification.Aggregation;
import dev.distil4j.pipeline.TokenClassification.Entity;
import dev.distil4j.pipeline.TokenClassification.HfRequest;
import dev.distil4j.pipeline.TokenClassification.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour beyond the goldens: windows (stride), refusals, JSON shapes, batching, threads. */
class TokenClassificationTest {
    static PipelineModel fast;
    static List<String> texts = new ArrayList<>();
    static String longText;

    @BeforeAll
    static void load() {
        fast = TokenClassificationGoldenTest.openFast();
        for (JsonNode t : TokenClassificationGoldenTest.golden().get("texts")) texts.add(t.get("text").asText());
        longText = texts.get(9);
    }

    @AfterAll
    static void close() {
        fast.close();
    }

    static TokenClassification ner() {
        return new TokenClassification(fast);
    }

    static Options simple() {
        return Options.defaults().withAggregation(Aggregation.SIMPLE);
    }

    @Test
    void emptyAndBlankTextsHaveNoEntities() {
        assertThat(ner().predict("", simple().withIgnoreLabels(List.of()))).isEmpty();
        assertThat(ner().predict("  \t\n", Options.defaults().withIgnoreLabels(List.of()))).isEmpty();
    }

    @Test
    void withoutStrideALongTextIsTruncatedAsInHuggingFace() {
        List<Entity> es = ner().predict(longText, simple().withIgnoreLabels(List.of()));
        // the 64-token window ends with "clever" (code points 201..207)
        assertThat(es.get(es.size() - 1).codePointEnd()).isEqualTo(207);
    }

    @Test
    void strideCoversTheWholeTextWithSortedNonOverlappingEntities() {
        for (Aggregation a : List.of(Aggregation.SIMPLE, Aggregation.FIRST, Aggregation.AVERAGE, Aggregation.MAX)) {
            List<Entity> es = ner().predict(longText, Options.defaults().withAggregation(a).withIgnoreLabels(List.of()).withStride(8));
            assertThat(es.get(es.size() - 1).end()).as(a.name()).isEqualTo(longText.length());  // "weeks."
            for (int i = 1; i < es.size(); i++) {
                assertThat(es.get(i).start()).as("%s entity %d", a, i).isGreaterThanOrEqualTo(es.get(i - 1).end());
            }
            for (Entity e : es) assertThat(e.isGroup()).isTrue();
        }
    }

    @Test
    void strideOnAShortTextChangesNothing() {
        Options o = simple().withIgnoreLabels(List.of());
        assertThat(ner().predict(texts.get(1), o.withStride(8))).isEqualTo(ner().predict(texts.get(1), o));
    }

    @Test
    void strideRefusals() {
        assertThatThrownBy(() -> ner().predict(longText, Options.defaults().withStride(8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aggregation_strategy=\"none\"");
        assertThatThrownBy(() -> ner().predict("Anna", simple().withStride(64)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride 64").hasMessageContaining("64");
        // 62 tokens fit beside [CLS] and [SEP]: Rust panics ("stride < max_len") once windows are needed
        assertThatThrownBy(() -> ner().predict(longText, simple().withStride(62)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stride 62").hasMessageContaining("62 tokens");
        assertThat(ner().predict(longText, simple().withStride(61))).isNotEmpty();
        assertThat(ner().predict(texts.get(0), simple().withStride(62))).isNotEmpty();
        assertThatThrownBy(() -> simple().withStride(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ignoreLabelsFiltersTokensAndGroups() {
        List<Entity> all = ner().predict(texts.get(1), Options.defaults().withIgnoreLabels(List.of()));
        List<Entity> noPer = ner().predict(texts.get(1), Options.defaults().withIgnoreLabels(List.of("B-PER", "I-PER")));
        assertThat(noPer).isEqualTo(all.stream().filter(e -> !e.label().endsWith("PER")).toList());
        assertThat(ner().predict(texts.get(1), simple().withIgnoreLabels(List.of("LOC", "PER", "O")))).isEmpty();
    }

    @Test
    void offsetsAreUtf16InTheApiAndCodePointsInJson() {
        String text = texts.get(4);  // "I ❤️ 🤖 robots in Zürich @home #tag": 🤖 is two UTF-16 units
        List<Entity> es = ner().predict(text, Options.defaults().withIgnoreLabels(List.of()));
        Entity robots = es.stream().filter(e -> e.word().equals("robots")).findFirst().orElseThrow();
        assertThat(text.substring(robots.start(), robots.end())).isEqualTo("robots");
        assertThat(robots.start()).isEqualTo(robots.codePointStart() + 1);
        Entity unk = es.stream().filter(e -> e.word().equals("🤖")).findFirst().orElseThrow();  // [UNK] shows the text
        assertThat(unk.end() - unk.start()).isEqualTo(2);
        assertThat(unk.codePointEnd() - unk.codePointStart()).isEqualTo(1);
        JsonNode json = TokenClassification.toHfJson(robots);
        assertThat(json.get("start").asInt()).isEqualTo(robots.codePointStart());
    }

    @Test
    void batchSizeAndBatchingDoNotChangeResults() {
        Options o = simple().withIgnoreLabels(List.of()).withStride(16);
        List<List<Entity>> one = new TokenClassification(fast, 1).predictBatch(texts, o);
        List<List<Entity>> many = new TokenClassification(fast, 7).predictBatch(texts, o);
        assertThat(many).hasSize(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            assertSame(one.get(i), many.get(i));
            assertSame(one.get(i), ner().predict(texts.get(i), o));
        }
    }

    @Test
    void threadSafe() throws Exception {
        Options o = Options.defaults().withAggregation(Aggregation.AVERAGE).withStride(8);
        TokenClassification ner = ner();
        List<List<Entity>> expected = ner.predictBatch(texts, o);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<List<Entity>>>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) fs.add(pool.submit(() -> ner.predictBatch(texts, o)));
            for (Future<List<List<Entity>>> f : fs) {
                List<List<Entity>> got = f.get();
                for (int i = 0; i < texts.size(); i++) assertSame(expected.get(i), got.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Equal but for float rounding of differently padded batches. */
    static void assertSame(List<Entity> a, List<Entity> b) {
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            Entity x = a.get(i), y = b.get(i);
            assertThat(y.label()).isEqualTo(x.label());
            assertThat(y.word()).isEqualTo(x.word());
            assertThat(y.start()).isEqualTo(x.start());
            assertThat(y.end()).isEqualTo(x.end());
            assertThat(y.index()).isEqualTo(x.index());
            assertThat((double) y.score()).isCloseTo(x.score(), org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void hfRequestsAndShapes() {
        TokenClassification ner = ner();
        JsonNode single = ner.callHf(HfJson.MAPPER.valueToTree("Anna wrote the letter to Paris."), null);
        assertThat(single.isArray()).isTrue();
        assertThat(single.get(0).has("entity")).isTrue();
        assertThat(single.get(0).has("index")).isTrue();
        JsonNode listOfOne = ner.callHf(HfJson.MAPPER.valueToTree(List.of("Anna wrote the letter to Paris.")),
                HfJson.MAPPER.valueToTree(java.util.Map.of("aggregation_strategy", "simple")));
        assertThat(listOfOne.isArray()).isTrue();
        assertThat(listOfOne.get(0).isArray()).isTrue();   // no unwrapping in token classification
        assertThat(listOfOne.get(0).get(0).has("entity_group")).isTrue();
        assertThat(listOfOne.get(0).get(0).has("index")).isFalse();

        // the deprecated flags override aggregation_strategy, as in transformers
        HfRequest r = HfRequest.parse(HfJson.MAPPER.valueToTree("x"),
                HfJson.MAPPER.valueToTree(java.util.Map.of("grouped_entities", true, "ignore_subwords", true,
                        "aggregation_strategy", "max")));
        assertThat(r.options().aggregation()).isEqualTo(Aggregation.FIRST);
        assertThat(HfRequest.parse(HfJson.MAPPER.valueToTree("x"),
                HfJson.MAPPER.valueToTree(java.util.Map.of("grouped_entities", false))).options().aggregation())
                .isEqualTo(Aggregation.NONE);
        assertThatThrownBy(() -> HfRequest.parse(HfJson.MAPPER.valueToTree("x"),
                HfJson.MAPPER.valueToTree(java.util.Map.of("aggregation", "simple"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown token-classification parameter \"aggregation\"");
        assertThatThrownBy(() -> HfRequest.parse(HfJson.MAPPER.valueToTree("x"),
                HfJson.MAPPER.valueToTree(java.util.Map.of("aggregation_strategy", "mean"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"mean\"");
        assertThatThrownBy(() -> HfRequest.parse(HfJson.MAPPER.valueToTree(List.of()), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesOtherHeads() {
        try (PipelineModel qa = PipelineModel.load(TokenClassificationGoldenTest.shared("fixtures/models/distilbert-qa"))) {
            assertThatThrownBy(() -> new TokenClassification(qa))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token-classification model");
        }
    }
}
