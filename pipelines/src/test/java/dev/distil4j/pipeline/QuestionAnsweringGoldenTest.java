package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.pipeline.QuestionAnswering.Answer;
import dev.distil4j.pipeline.QuestionAnswering.Input;
import dev.distil4j.pipeline.QuestionAnswering.Options;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TruncationStrategy;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every question-answering golden run of {@code ../shared} marked {@code pipeline/fast-emulated}, and
 * the windows (ids, offsets, logits) the model saw for each of them.
 */
class QuestionAnsweringGoldenTest {
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
            return new ObjectMapper().readTree(shared("fixtures/goldens/distilbert-qa/question_answering.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PipelineModel fast;

    /** The tiny QA model with the fast tokenizer the goldens used (its directory ships only legacy files). */
    static PipelineModel openFast() {
        Path dir = shared("fixtures/models/distilbert-qa");
        return new PipelineModel(dir, Tokenizer.fromTokenizerJson(shared("fixtures/goldens/distilbert-qa/tokenizer.json")),
                Model.load(dir));
    }

    @BeforeAll
    static void load() {
        fast = openFast();
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
    }

    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : golden().get("cases")) {
            for (JsonNode r : c.get("runs")) {
                if (r.get("source").asText().equals("pipeline/fast-emulated")) {
                    out.add(Arguments.of("case " + c.get("i") + " " + r.get("kwargs"), c, r));
                }
            }
        }
        assertThat(out).hasSize(48);
        return out.stream();
    }

    static Options options(JsonNode kwargs) {
        Options o = Options.defaults();
        for (Iterator<Map.Entry<String, JsonNode>> it = kwargs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            o = switch (e.getKey()) {
                case "top_k" -> o.withTopK(v.asInt());
                case "handle_impossible_answer" -> o.withHandleImpossibleAnswer(v.asBoolean());
                case "max_answer_len" -> o.withMaxAnswerLen(v.asInt());
                case "align_to_words" -> o.withAlignToWords(v.asBoolean());
                case "doc_stride" -> o.withDocStride(v.asInt());
                case "max_seq_len" -> o.withMaxSeqLen(v.asInt());
                case "max_question_len" -> o.withMaxQuestionLen(v.asInt());
                default -> throw new IllegalStateException("unknown kwarg " + e.getKey());
            };
        }
        return o;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void matchesGolden(String name, JsonNode c, JsonNode run) {
        String context = c.get("context").asText();
        List<Answer> got = new QuestionAnswering(fast).predict(c.get("question").asText(), context, options(run.get("kwargs")));
        assertAnswers(context, got, run.get("result"));
    }

    @Test
    void batchRunMatchesGolden() {
        for (JsonNode b : golden().get("batch_runs")) {
            if (!b.get("source").asText().equals("pipeline/fast-emulated")) continue;
            List<Input> inputs = new ArrayList<>();
            for (int i = 0; i < b.get("question").size(); i++) {
                inputs.add(new Input(b.get("question").get(i).asText(), b.get("context").get(i).asText()));
            }
            List<List<Answer>> got = new QuestionAnswering(fast, 3).predictBatch(inputs, options(b.get("kwargs")));
            for (int i = 0; i < inputs.size(); i++) assertAnswers(inputs.get(i).context(), got.get(i), b.get("result").get(i));
            assertThat(QuestionAnswering.toHfJson(true, got).size()).isEqualTo(b.get("result").size());
        }
    }

    static Stream<Arguments> windowSets() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : golden().get("cases")) {
            c.get("window_sets").fields().forEachRemaining(e -> {
                if (e.getValue().get("source").asText().equals("pipeline/fast-emulated") && e.getValue().has("windows")
                        && !e.getValue().get("windows").isEmpty()) {
                    out.add(Arguments.of("case " + c.get("i") + " " + e.getKey(), c, e.getValue()));
                }
            });
        }
        assertThat(out).hasSize(10);  // the max_question_len sets only point at identical windows
        return out.stream();
    }

    /** The tokenizer's windows and the model's logits on them, against what HF fed and got. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("windowSets")
    void windowsAndLogitsMatchGolden(String name, JsonNode c, JsonNode set) {
        JsonNode kw = set.get("preprocess_kwargs");
        int maxSeqLen = kw.has("max_seq_len") ? kw.get("max_seq_len").asInt() : 64;
        int stride = kw.has("doc_stride") ? kw.get("doc_stride").asInt() : Math.min(maxSeqLen / 2, 128);
        Encoding e = fast.tokenizer().encode(c.get("question").asText(), c.get("context").asText(),
                EncodeOptions.builder().truncation(TruncationStrategy.ONLY_SECOND).maxLength(maxSeqLen).stride(stride).build());
        List<Encoding> windows = new ArrayList<>();
        windows.add(e);
        windows.addAll(e.overflowing());
        JsonNode expected = set.get("windows");
        assertThat(windows).hasSize(expected.size());
        for (int w = 0; w < windows.size(); w++) {
            Encoding got = windows.get(w);
            JsonNode x = expected.get(w);
            assertThat(got.ids()).as("window %d ids", w).containsExactly(ints(x.get("input_ids")));
            int[] offsets = new int[2 * got.length()];
            for (int i = 0; i < got.length(); i++) {
                offsets[2 * i] = x.get("offsets").get(i).get(0).asInt();
                offsets[2 * i + 1] = x.get("offsets").get(i).get(1).asInt();
            }
            assertThat(got.codePointOffsets()).as("window %d offsets", w).containsExactly(offsets);
            ModelOutput o = fast.model().forward(ModelInput.of(got.ids()));
            float[] start = o.startLogits().data(), end = o.endLogits().data();
            for (int i = 0; i < got.length(); i++) {
                assertThat((double) start[i]).as("window %d start_logits[%d]", w, i)
                        .isCloseTo(x.get("start_logits").get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
                assertThat((double) end[i]).as("window %d end_logits[%d]", w, i)
                        .isCloseTo(x.get("end_logits").get(i).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    /** Compares the JSON shape (dict vs list) and every field; reports all differences at once. */
    static void assertAnswers(String context, List<Answer> got, JsonNode expected) {
        JsonNode json = QuestionAnswering.toHfJson(got);
        List<String> problems = new ArrayList<>();
        if (json.isArray() != expected.isArray()) {
            problems.add("shape: got " + (json.isArray() ? "a list" : "a dict") + ", expected " + (expected.isArray() ? "a list" : "a dict"));
        }
        List<JsonNode> g = new ArrayList<>(), e = new ArrayList<>();
        if (json.isArray()) json.forEach(g::add); else g.add(json);
        if (expected.isArray()) expected.forEach(e::add); else e.add(expected);
        if (g.size() != e.size()) problems.add("expected " + e.size() + " answers, got " + g.size());
        for (int i = 0; i < Math.min(g.size(), e.size()); i++) {
            for (String k : List.of("score", "start", "end", "answer")) {
                JsonNode gv = g.get(i).get(k), ev = e.get(i).get(k);
                boolean ok = k.equals("score") ? scoreOk(gv, ev) : gv.equals(ev);
                if (!ok) problems.add("#" + i + " " + k + ": got " + gv + ", expected " + ev);
            }
            Answer a = got.get(i);
            if (!context.substring(a.start(), a.end()).equals(a.answer())) problems.add("#" + i + " UTF-16 span is not the answer");
        }
        if (!problems.isEmpty()) fail(String.join("\n  ", problems) + "\n got " + json + "\n expected " + expected);
    }
}
