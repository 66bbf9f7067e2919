package dev.distil4j.pipeline;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The bounds a caller can ask for but the model cannot give (fill-mask and question-answering
 * {@code top_k} beyond what exists), and the prepare/run split: preparing on one thread and running
 * later gives exactly what the one-call methods give, and says beforehand what the model will run.
 */
class PreparedInputsTest {
    static PipelineModel mlm, roberta, qaModel, cls, ner;

    @BeforeAll
    static void load() {
        mlm = PipelineModel.load(Shared.path("fixtures/models/distilbert-mlm"));
        roberta = PipelineModel.load(Shared.path("fixtures/models/roberta-mlm"));
        qaModel = QuestionAnsweringGoldenTest.openFast();
        cls = PipelineModel.load(Shared.path("fixtures/models/distilbert-seqcls"));
        ner = PipelineModel.load(Shared.path("fixtures/models/distilbert-tokcls"));
    }

    @AfterAll
    static void close() {
        for (PipelineModel m : List.of(mlm, roberta, qaModel, cls, ner)) m.close();
    }

    @Test
    void fillMaskTopKIsCappedAtTheVocabulary() {
        for (PipelineModel m : List.of(mlm, roberta)) {
            FillMask fm = new FillMask(m);
            int vocab = m.model().config().vocabSize();
            String text = "the capital of france is " + fm.maskToken() + " .";
            FillMask.Result all = fm.predict(text, FillMask.Options.defaults().withTopK(vocab));
            assertEquals(vocab, all.first().size(), "top_k = vocabulary: every token once");
            assertEquals(vocab, all.first().stream().mapToInt(FillMask.Prediction::token).distinct().count());
            for (int k : new int[] {vocab + 1, 1_000_000_000, Integer.MAX_VALUE}) {
                FillMask.Result r = fm.predict(text, FillMask.Options.defaults().withTopK(k));
                assertSamePredictions(all, r);
                assertEquals(vocab, fm.topK(FillMask.Options.defaults().withTopK(k), null));
            }
            // and the best five are the default answer's
            assertSamePredictions(fm.predict(text), new FillMask.Result(text, List.of(all.first().subList(0, 5))));
        }
    }

    @Test
    void fillMaskTopKIsCappedAtTheTargetsAndTwoMasksGetTheirOwnLists() {
        FillMask fm = new FillMask(mlm);
        var o = FillMask.Options.defaults().withTopK(Integer.MAX_VALUE).withTargets(List.of("paris", "london", "the"));
        var targets = fm.resolveTargets(o.targets());
        assertEquals(3, fm.topK(o, targets));
        var r = fm.predict("[MASK] is the capital of [MASK] .", o);
        assertEquals(2, r.masks().size());
        for (List<FillMask.Prediction> preds : r.masks()) assertEquals(3, preds.size());
        assertEquals(targets, fm.resolveTargets(List.of("paris", "london", "the")), "resolved targets compare by value");
    }

    @Test
    void preparedFillMaskMatchesTheOneCallMethodAndCountsItsMasks() {
        FillMask fm = new FillMask(mlm);
        List<String> texts = List.of("a [MASK] b", "[MASK] [MASK] [MASK] are three masks", "paris is [MASK] .");
        List<FillMask.Prepared> p = fm.prepare(texts);
        assertArrayEquals(new int[] {1, 3, 1}, p.stream().mapToInt(FillMask.Prepared::maskCount).toArray());
        for (FillMask.Prepared x : p) {
            assertEquals(1, x.windows());
            assertEquals(x.ids().length, x.tokens());
        }
        var o = FillMask.Options.defaults().withTopK(7);
        List<FillMask.Result> want = fm.predictBatch(texts, o), got = fm.predictPrepared(p, o, null);
        for (int i = 0; i < want.size(); i++) assertSamePredictions(want.get(i), got.get(i));
    }

    /** The sort used for a large k gives exactly the order of the insertion used for a small one: stable, largest first. */
    @Test
    void topKOrderIsTheSameOnBothPaths() {
        Random rnd = new Random(17);
        for (int trial = 0; trial < 200; trial++) {
            int n = 40 + rnd.nextInt(300);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = rnd.nextInt(8) == 0 ? 0.25f : rnd.nextInt(50) / 50f; // many ties
            if (trial % 5 == 0) v[rnd.nextInt(n)] = -0.0f;
            int k = 33 + rnd.nextInt(n);
            int[] got = Scores.topK(v, k);
            assertEquals(Math.min(k, n), got.length);
            // reference: a stable sort of the indices by value, largest first (what insertion gives)
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < n; i++) idx.add(i);
            idx.sort((a, b) -> v[b] > v[a] ? 1 : v[a] > v[b] ? -1 : 0);
            for (int i = 0; i < got.length; i++) assertEquals(idx.get(i), got[i], "trial " + trial + " rank " + i);
            // and for k at the insertion threshold the two methods agree on the first 32
            int[] small = Scores.topK(v, 32);
            for (int i = 0; i < small.length; i++) assertEquals(idx.get(i), small[i]);
        }
    }

    @Test
    void questionAnsweringTopKIsCappedAtTheSpans() {
        QuestionAnswering qa = new QuestionAnswering(qaModel);
        var in = new QuestionAnswering.Input("where does anna live?", "anna lives in paris .");
        for (int k : new int[] {1_000, 1_000_000_000, Integer.MAX_VALUE}) {
            var o = QuestionAnswering.Options.defaults().withTopK(k);
            var p = qa.prepare(List.of(in), o).get(0);
            int n = p.tokens();
            assertEquals(1, p.windows());
            assertEquals(Math.min(k, (long) n * n), p.maxAnswers(o));
            List<QuestionAnswering.Answer> answers = qa.predict(in.question(), in.context(), o);
            assertThat(answers).hasSizeLessThanOrEqualTo(n * n).isNotEmpty();
            assertEquals(qa.predict(in.question(), in.context()).get(0), answers.get(0), "the best answer is top_k 1's");
        }
    }

    @Test
    void preparedQuestionAnsweringCountsItsWindows() {
        QuestionAnswering qa = new QuestionAnswering(qaModel);
        String context = "anna lives in paris and bob lives in london . ".repeat(20);
        var o = QuestionAnswering.Options.defaults().withMaxSeqLen(24).withDocStride(4).withTopK(3);
        List<QuestionAnswering.Input> in = List.of(new QuestionAnswering.Input("where does bob live?", context),
                new QuestionAnswering.Input("who lives in paris?", "anna lives in paris ."));
        var p = qa.prepare(in, o);
        assertThat(p.get(0).windows()).isGreaterThan(10);
        assertEquals(1, p.get(1).windows());
        assertThat(p.get(0).tokens()).isLessThanOrEqualTo(24 * p.get(0).windows());
        assertSameAnswers(qa.predictBatch(in, o), qa.predictPrepared(p, o));
        assertSameAnswers(qa.predictPrepared(p, o), qa.predictPrepared(p, o));
    }

    /**
     * Same candidates per mask, each with the same sequence, scores equal up to float rounding (the
     * kernels' threads may sum in another order, and then two near-equal candidates may swap), best first.
     */
    static void assertSamePredictions(FillMask.Result want, FillMask.Result got) {
        assertEquals(want.input(), got.input());
        assertEquals(want.masks().size(), got.masks().size());
        for (int m = 0; m < want.masks().size(); m++) {
            var w = new java.util.HashMap<Integer, FillMask.Prediction>();
            for (FillMask.Prediction p : want.masks().get(m)) w.put(p.token(), p);
            List<FillMask.Prediction> g = got.masks().get(m);
            assertEquals(w.size(), g.size());
            float prev = Float.MAX_VALUE;
            for (FillMask.Prediction p : g) {
                FillMask.Prediction e = w.get(p.token());
                if (e == null && p.score() < g.get(g.size() - 1).score() + 1e-5f) continue; // a near-tie swapped at the cut
                assertThat(e).as("token " + p.token()).isNotNull();
                assertEquals(e.score(), p.score(), 1e-5);
                assertEquals(e.sequence(), p.sequence());
                assertEquals(e.tokenStr(), p.tokenStr());
                assertThat(p.score()).isLessThanOrEqualTo(prev);
                prev = p.score();
            }
        }
    }

    static void assertSameScores(List<List<TextClassification.LabelScore>> want, List<List<TextClassification.LabelScore>> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).stream().map(TextClassification.LabelScore::label).toList(),
                    got.get(i).stream().map(TextClassification.LabelScore::label).toList());
            for (int j = 0; j < want.get(i).size(); j++) assertEquals(want.get(i).get(j).score(), got.get(i).get(j).score(), 1e-5);
        }
    }

    /** Same spans; scores equal up to the kernels' float rounding (their threads may sum in another order). */
    static void assertSameAnswers(List<List<QuestionAnswering.Answer>> want, List<List<QuestionAnswering.Answer>> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).size(), got.get(i).size());
            for (int j = 0; j < want.get(i).size(); j++) {
                var a = want.get(i).get(j);
                var b = got.get(i).get(j);
                assertEquals(a.answer(), b.answer());
                assertEquals(a.start(), b.start());
                assertEquals(a.end(), b.end());
                assertEquals(a.score(), b.score(), 1e-5);
            }
        }
    }

    /** The windows counted beforehand (to refuse a long context before building them) are the windows built. */
    @Test
    void windowCountsAreTheWindowsBuilt() {
        QuestionAnswering qa = new QuestionAnswering(qaModel);
        String base = "anna lives in paris and bob lives in london . ";
        for (int words = 1; words <= 60; words += 7) {
            String context = (base.repeat(words / 10 + 1)).substring(0, Math.min(base.length() * (words / 10 + 1), 5 * words + 3));
            for (int[] g : new int[][] {{64, 32}, {24, 4}, {16, 0}, {20, 5}, {16, 1}}) {
                var o = QuestionAnswering.Options.defaults().withMaxSeqLen(g[0]).withDocStride(g[1]);
                var in = List.of(new QuestionAnswering.Input("where?", context), new QuestionAnswering.Input("who lives in paris?", context));
                int[] counted = qa.windowCounts(in, o);
                var built = qa.prepare(in, o);
                for (int i = 0; i < in.size(); i++) {
                    assertEquals(built.get(i).windows(), counted[i], "QA " + context.length() + " chars, " + g[0] + "/" + g[1]);
                }
            }
        }
        TokenClassification tc = new TokenClassification(ner);
        for (int words = 1; words <= 200; words += 19) {
            List<String> texts = List.of("anna lives in paris . ".repeat(words), "bob");
            for (Integer stride : new Integer[] {null, 0, 8, 30}) {
                var o = TokenClassification.Options.defaults().withAggregation(TokenClassification.Aggregation.SIMPLE).withStride(stride);
                int[] counted = tc.windowCounts(texts, o);
                var built = tc.prepare(texts, o);
                for (int i = 0; i < texts.size(); i++) assertEquals(built.get(i).windows(), counted[i], words + " words, stride " + stride);
            }
        }
    }

    @Test
    void preparedClassificationAndTokenClassificationMatchTheOneCallMethods() {
        TextClassification tc = new TextClassification(cls);
        List<TextClassification.Input> in = List.of(TextClassification.Input.of("a fine day ".repeat(40)),
                TextClassification.Input.pair("is it good?", "it is good"));
        var o = TextClassification.Options.defaults().withTruncation(true).withTopK(TextClassification.ALL);
        var p = tc.prepare(in, o);
        assertEquals(cls.maxLength(), p.get(0).tokens(), "a long input is cut before it is queued");
        assertSameScores(tc.classifyBatch(in, o), tc.classifyPrepared(p, o));
        assertSameScores(tc.scoresInLabelOrder(in, o), tc.scoresInLabelOrderPrepared(p, o));

        TokenClassification ner1 = new TokenClassification(ner);
        List<String> texts = List.of("anna lives in paris . ".repeat(30), "bob");
        for (Integer stride : new Integer[] {null, 8}) {
            var no = TokenClassification.Options.defaults().withAggregation(TokenClassification.Aggregation.SIMPLE).withStride(stride);
            var np = ner1.prepare(texts, no);
            assertEquals(stride == null ? 1 : np.get(0).windows(), np.get(0).windows());
            if (stride != null) assertThat(np.get(0).windows()).isGreaterThan(1);
            var want = ner1.predictBatch(texts, no);
            var got = ner1.predictPrepared(np, no);
            assertEquals(want.size(), got.size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).size(), got.get(i).size());
                for (int j = 0; j < want.get(i).size(); j++) {
                    var a = want.get(i).get(j);
                    var b = got.get(i).get(j);
                    assertEquals(List.of(a.label(), a.word(), a.start(), a.end()), List.of(b.label(), b.word(), b.start(), b.end()));
                    assertEquals(a.score(), b.score(), 1e-5);
                }
            }
        }
    }

    @Test
    void preparedEmbeddingsMatchTheOneCallMethodsAndKeepTheFullLength() {
        Embeddings e = new Embeddings(mlm, null, null);
        List<String> texts = List.of("  The Capital of France  ", "word ".repeat(200));
        var sp = e.prepareSentences(texts);
        assertEquals(e.maxLength(), sp.get(1).tokens());
        assertThat(sp.get(1).fullLength()).isGreaterThan(200);
        List<float[]> a = e.sentences(texts), b = e.sentencesPrepared(sp);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), 1e-5f);
        var tp = e.prepareTokens(texts);
        var want = e.tokensBatch(texts);
        var got = e.tokensPrepared(tp);
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).size(), got.get(i).size());
            for (int t = 0; t < want.get(i).size(); t++) {
                assertEquals(want.get(i).get(t).id(), got.get(i).get(t).id());
                assertArrayEquals(want.get(i).get(t).vector(), got.get(i).get(t).vector(), 1e-5f);
            }
        }
    }
}
