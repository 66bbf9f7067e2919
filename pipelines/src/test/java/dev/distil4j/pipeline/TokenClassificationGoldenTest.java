package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.TokenClassification.Aggregation;
import dev.distil4j.pipeline.TokenClassification.Entity;
import dev.distil4j.pipeline.TokenClassification.Options;
import dev.distil4j.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every token-classification golden run of {@code ../shared} that distil4j must reproduce:
 * {@code pipeline/fast-emulated} (the Rust tokenizer.json the goldens used) and
 * {@code pipeline/slow+offset_mapping} (the legacy vocabulary, i.e. the slow tokenizer, given offsets).
 */
class TokenClassificationGoldenTest {
    static final double SCORE_TOL = 1e-5;
    /** Largest score difference seen, reported at the end (the tests run in one thread). */
    static double maxScoreDiff;
    static int compared;

    static Path shared(String rel) {
        Path p = Path.of(System.getProperty("distil4j.shared", "../../shared")).resolve(rel);
        if (!Files.exists(p)) throw new IllegalStateException("reference data missing: " + p.toAbsolutePath());
        return p;
    }

    static JsonNode golden() {
        try {
            return new ObjectMapper().readTree(shared("fixtures/goldens/distilbert-tokcls/token_classification.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PipelineModel fast;
    static PipelineModel slow;

    /** The tiny NER model with the fast tokenizer the goldens used (its directory ships only legacy files). */
    static PipelineModel openFast() {
        Path dir = shared("fixtures/models/distilbert-tokcls");
        return new PipelineModel(dir, Tokenizer.fromTokenizerJson(shared("fixtures/goldens/distilbert-tokcls/tokenizer.json")),
                Model.load(dir));
    }

    @BeforeAll
    static void load() {
        fast = openFast();
        slow = PipelineModel.load(shared("fixtures/models/distilbert-tokcls"));  // legacy vocab.txt: the slow tokenizer's behaviour
    }

    static boolean scoreOk(JsonNode got, JsonNode expected) {
        double d = Math.abs(got.asDouble() - expected.asDouble());
        maxScoreDiff = Math.max(maxScoreDiff, d);
        compared++;
        return d <= SCORE_TOL;
    }

    @AfterAll
    static void close() {
        System.out.printf("%s: %d scores compared, largest difference %.3g%n",
                MethodHandles.lookup().lookupClass().getSimpleName(), compared, maxScoreDiff);
        fast.close();
        slow.close();
    }

    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode t : golden().get("texts")) {
            for (JsonNode r : t.get("runs")) {
                String source = r.get("source").asText();
                if (source.equals("pipeline/fast-emulated") || source.equals("pipeline/slow+offset_mapping")) {
                    out.add(Arguments.of(source + " text " + t.get("i") + " " + r.get("kwargs"), t.get("text").asText(), r));
                }
            }
        }
        assertThat(out).hasSize(90);  // 10 texts x (7 fast + 2 slow+offset_mapping)
        return out.stream();
    }

    static Options options(JsonNode kwargs) {
        Options o = Options.defaults().withAggregation(Aggregation.parse(kwargs.get("aggregation_strategy").asText()));
        if (kwargs.has("ignore_labels")) {
            List<String> ignore = new ArrayList<>();
            kwargs.get("ignore_labels").forEach(n -> ignore.add(n.asText()));
            o = o.withIgnoreLabels(ignore);
        }
        if (kwargs.has("stride")) o = o.withStride(kwargs.get("stride").asInt());
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void matchesGolden(String name, String text, JsonNode run) {
        PipelineModel m = run.get("source").asText().equals("pipeline/fast-emulated") ? fast : slow;
        List<Entity> got = new TokenClassification(m).predict(text, options(run.get("kwargs")));
        assertEntities(text, got, run.get("result"));
    }

    @Test
    void batchRunMatchesGolden() {
        for (JsonNode b : golden().get("batch_runs")) {
            if (!b.get("source").asText().equals("pipeline/fast-emulated")) continue;
            List<String> texts = new ArrayList<>();
            b.get("inputs").forEach(n -> texts.add(n.asText()));
            List<List<Entity>> got = new TokenClassification(fast, 2).predictBatch(texts, options(b.get("kwargs")));
            assertThat(got).hasSize(b.get("result").size());
            for (int i = 0; i < texts.size(); i++) assertEntities(texts.get(i), got.get(i), b.get("result").get(i));
            assertThat(TokenClassification.toHfJson(true, got).get(1).size()).isEqualTo(b.get("result").get(1).size());
        }
    }

    @Test
    void logitsMatchGolden() {
        // the model itself, so that a mismatch above can be told from a post-processing one
        for (JsonNode t : golden().get("texts")) {
            JsonNode enc = t.get("fast_encoding");
            int[] ids = new int[enc.get("input_ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = enc.get("input_ids").get(i).asInt();
            assertThat(fast.tokenizer().encode(t.get("text").asText(),
                    dev.distil4j.tokenizer.EncodeOptions.DEFAULT.withTruncation(
                            dev.distil4j.tokenizer.TruncationStrategy.LONGEST_FIRST, 64)).ids())
                    .as("ids of text %s", t.get("i")).containsExactly(ids);
            float[] logits = fast.model().forward(dev.distil4j.model.ModelInput.of(ids)).logits().data();
            JsonNode g = t.get("logits");
            for (int i = 0; i < g.size(); i++) {
                for (int j = 0; j < g.get(i).size(); j++) {
                    assertThat((double) logits[i * 5 + j]).as("text %s logits[%d][%d]", t.get("i"), i, j)
                            .isCloseTo(g.get(i).get(j).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    /** Compares field by field and reports every difference of one result at once. */
    static void assertEntities(String text, List<Entity> got, JsonNode expected) {
        List<String> problems = new ArrayList<>();
        JsonNode json = TokenClassification.toHfJson(got);
        if (json.size() != expected.size()) {
            problems.add("expected " + expected.size() + " entities, got " + json.size());
        }
        for (int i = 0; i < Math.min(json.size(), expected.size()); i++) {
            JsonNode g = json.get(i), e = expected.get(i);
            List<String> names = new ArrayList<>();
            e.fieldNames().forEachRemaining(names::add);
            List<String> gotNames = new ArrayList<>();
            g.fieldNames().forEachRemaining(gotNames::add);
            if (!names.equals(gotNames)) problems.add("#" + i + " keys " + gotNames + " != " + names);
            for (String k : names) {
                JsonNode gv = g.get(k), ev = e.get(k);
                if (gv == null) continue;
                boolean ok = k.equals("score") ? scoreOk(gv, ev) : gv.equals(ev);
                if (!ok) problems.add("#" + i + " " + k + ": got " + gv + ", expected " + ev);
            }
            // the UTF-16 offsets of the API point at the same characters as HF's code points
            Entity x = got.get(i);
            String bySpan = text.substring(x.start(), x.end());
            String byCp = text.substring(text.offsetByCodePoints(0, x.codePointStart()), text.offsetByCodePoints(0, x.codePointEnd()));
            if (!bySpan.equals(byCp)) problems.add("#" + i + " UTF-16 span " + bySpan + " != code-point span " + byCp);
        }
        if (!problems.isEmpty()) {
            fail("text " + text + "\n  " + String.join("\n  ", problems) + "\n got " + json + "\n expected " + expected);
        }
    }
}
