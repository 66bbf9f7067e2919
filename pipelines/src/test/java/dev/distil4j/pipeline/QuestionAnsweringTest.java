package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.pipeline.QuestionAnswering.Answer;
import dev.distil4j.pipeline.QuestionAnswering.HfRequest;
import dev.distil4j.pipeline.QuestionAnswering.Input;
import dev.distil4j.pipeline.QuestionAnswering.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Behaviour beyond the goldens: refusals (what HF and Rust refuse), JSON shapes, batching, threads. */
class QuestionAnsweringTest {
    static PipelineModel fast;
    static List<Input> cases = new ArrayList<>();

    @BeforeAll
    static void load() {
        fast = QuestionAnsweringGoldenTest.openFast();
        for (JsonNode c : QuestionAnsweringGoldenTest.golden().get("cases")) {
            cases.add(new Input(c.get("question").asText(), c.get("context").asText()));
        }
    }

    @AfterAll
    static void close() {
        fast.close();
    }

    static QuestionAnswering qa() {
        return new QuestionAnswering(fast);
    }

    @Test
    void refusesWhatHuggingFaceRefuses() {
        Input c0 = cases.get(0);
        assertThatThrownBy(() -> qa().predict("", c0.context()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("`question` cannot be empty");
        assertThatThrownBy(() -> qa().predict(c0.question(), ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("`context` cannot be empty");
        assertThatThrownBy(() -> Options.defaults().withTopK(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("top_k parameter should be >= 1 (got 0)");
        assertThatThrownBy(() -> Options.defaults().withMaxAnswerLen(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max_answer_len parameter should be >= 1 (got 0)");
        assertThatThrownBy(() -> qa().predict(c0.question(), c0.context(), Options.defaults().withMaxSeqLen(32).withDocStride(33)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("`doc_stride` (33) is larger than `max_seq_len` (32)");
        assertThatThrownBy(() -> qa().predict(c0.question(), c0.context(), Options.defaults().withMaxSeqLen(65)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_seq_len 65").hasMessageContaining("64");
    }

    @Test
    void refusesWhatTheRustTokenizerPanicsOn() {
        // case 5: a 26-token question; max_seq_len 48 leaves 48 - 26 - 3 = 19 context tokens per window
        Input c5 = cases.get(5);
        assertThat(qa().predict(c5.question(), c5.context(), Options.defaults().withMaxSeqLen(48).withDocStride(18))).hasSize(1);
        assertThatThrownBy(() -> qa().predict(c5.question(), c5.context(), Options.defaults().withMaxSeqLen(48).withDocStride(19)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("doc_stride 19 must be less than the 19 context tokens")
                .hasMessageContaining("max_seq_len 48 - 26 question tokens - 3 special tokens");
        // the default stride min(48 / 2, 128) = 24 panics too
        assertThatThrownBy(() -> qa().predict(c5.question(), c5.context(), Options.defaults().withMaxSeqLen(48)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("doc_stride 24");
        // a question that leaves no room at all (Rust: "Second sequence not long enough to be truncated")
        assertThatThrownBy(() -> qa().predict(c5.question(), c5.context(), Options.defaults().withMaxSeqLen(29).withDocStride(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("question takes 26 tokens");
        // no truncation needed: no windows, no panic, as in Rust
        Input c0 = cases.get(0);
        assertThat(qa().predict(c0.question(), c0.context(), Options.defaults().withDocStride(60))).hasSize(1);
    }

    @Test
    void maxQuestionLenIsIgnoredLikeTheFastPipeline() {
        Input c1 = cases.get(1);
        assertThat(qa().predict(c1.question(), c1.context(), Options.defaults().withTopK(3).withMaxQuestionLen(2)))
                .isEqualTo(qa().predict(c1.question(), c1.context(), Options.defaults().withTopK(3)));
    }

    @Test
    void offsetsAreUtf16InTheApiAndCodePointsInJson() {
        Input c3 = cases.get(3);  // "... visit him 🤖, because he told wonderful stories!..."
        for (Answer a : qa().predict(c3.question(), c3.context(), Options.defaults().withTopK(20))) {
            assertThat(c3.context().substring(a.start(), a.end())).isEqualTo(a.answer());
            int before = c3.context().indexOf("🤖");
            int shift = a.start() > before ? 1 : 0;
            assertThat(a.start()).isEqualTo(a.codePointStart() + shift);
            assertThat(QuestionAnswering.toHfJson(a).get("start").asInt()).isEqualTo(a.codePointStart());
        }
    }

    @Test
    void impossibleAnswerAndTopK() {
        Input c1 = cases.get(1);
        // a top_k beyond every span of every window: all of them come back, sorted, with the empty answer
        List<Answer> as = qa().predict(c1.question(), c1.context(), Options.defaults().withTopK(100_000).withHandleImpossibleAnswer(true));
        assertThat(as).hasSizeGreaterThan(200);
        assertThat(as).filteredOn(a -> a.answer().isEmpty() && a.score() > 0).hasSize(1);
        for (int i = 1; i < as.size(); i++) assertThat(as.get(i).score()).isLessThanOrEqualTo(as.get(i - 1).score());
        List<Answer> top3 = qa().predict(c1.question(), c1.context(), Options.defaults().withTopK(3).withHandleImpossibleAnswer(true));
        assertSame(as.subList(0, 3), top3);
    }

    @Test
    void shapes() {
        Input c0 = cases.get(0);
        List<Answer> one = qa().predict(c0.question(), c0.context());
        assertThat(QuestionAnswering.toHfJson(one).isObject()).isTrue();
        assertThat(QuestionAnswering.toHfJson(qa().predict(c0.question(), c0.context(), Options.defaults().withTopK(2))).isArray()).isTrue();
        assertThat(QuestionAnswering.toHfJson(List.of()).isArray()).isTrue();
        assertThat(QuestionAnswering.toHfJson(true, List.of(one)).isObject()).isTrue();  // a list of one unwraps
        assertThat(QuestionAnswering.toHfJson(true, List.of(one, one)).isArray()).isTrue();
        assertThat(QuestionAnswering.toHfJson(one.get(0)).fieldNames()).toIterable().containsExactly("score", "start", "end", "answer");
    }

    @Test
    void hfRequests() {
        QuestionAnswering qa = qa();
        Input c0 = cases.get(0);
        JsonNode in = HfJson.MAPPER.valueToTree(Map.of("question", c0.question(), "context", c0.context()));
        JsonNode r = qa.callHf(in, HfJson.MAPPER.valueToTree(Map.of("topk", 2, "max_answer_len", 3)));
        assertThat(r.isArray()).isTrue();
        assertThat(r.size()).isEqualTo(2);
        JsonNode list = qa.callHf(HfJson.MAPPER.valueToTree(List.of(in, in)), null);
        assertThat(list.isArray()).isTrue();
        assertThat(list.get(0)).isEqualTo(list.get(1));
        assertThatThrownBy(() -> HfRequest.parse(HfJson.MAPPER.valueToTree(Map.of("question", "x")), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"question\" and \"context\"");
        assertThatThrownBy(() -> HfRequest.parse(in, HfJson.MAPPER.valueToTree(Map.of("stride", 3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown question-answering parameter \"stride\"");
        assertThatThrownBy(() -> HfRequest.parse(in, HfJson.MAPPER.valueToTree(Map.of("top_k", "3"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top_k must be an integer");
    }

    @Test
    void batchSizeAndBatchingDoNotChangeResults() {
        Options o = Options.defaults().withTopK(3).withHandleImpossibleAnswer(true);
        List<List<Answer>> a = new QuestionAnswering(fast, 1).predictBatch(cases, o);
        List<List<Answer>> b = new QuestionAnswering(fast, 5).predictBatch(cases, o);
        for (int i = 0; i < cases.size(); i++) {
            assertSame(a.get(i), b.get(i));
            assertSame(a.get(i), qa().predict(cases.get(i).question(), cases.get(i).context(), o));
        }
    }

    @Test
    void threadSafe() throws Exception {
        Options o = Options.defaults().withTopK(2);
        QuestionAnswering qa = qa();
        List<List<Answer>> expected = qa.predictBatch(cases, o);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<List<Answer>>>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) fs.add(pool.submit(() -> qa.predictBatch(cases, o)));
            for (Future<List<List<Answer>>> f : fs) {
                List<List<Answer>> got = f.get();
                for (int i = 0; i < cases.size(); i++) assertSame(expected.get(i), got.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static void assertSame(List<Answer> a, List<Answer> b) {
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).answer()).isEqualTo(a.get(i).answer());
            assertThat(b.get(i).start()).isEqualTo(a.get(i).start());
            assertThat((double) b.get(i).score()).isCloseTo(a.get(i).score(), org.assertj.core.data.Offset.offset(1e-7));
        }
    }

    @Test
    void refusesOtherHeads() {
        try (PipelineModel tok = PipelineModel.load(QuestionAnsweringGoldenTest.shared("fixtures/models/distilbert-tokcls"))) {
            assertThatThrownBy(() -> new QuestionAnswering(tok))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("question-answering model");
        }
    }
}
