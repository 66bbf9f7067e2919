package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Token and word vectors against the tiny models' golden last_hidden_state; windows; documents. */
class EmbeddingsTest {
    static final String GOLDENS = "fixtures/goldens/distilbert-mlm";
    static PipelineModel model;
    static Embeddings emb;

    @BeforeAll
    static void load() {
        model = PipelineModel.load(Shared.path("fixtures/models/distilbert-mlm"), Model.Options.defaults().withHead(HeadType.NONE));
        emb = new Embeddings(model, null, Embeddings.Options.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static JsonNode goldenCase(String name) {
        for (JsonNode c : Shared.json(GOLDENS + "/cases.json").get("cases")) if (c.get("name").asText().equals(name)) return c;
        throw new IllegalStateException("no golden case " + name);
    }

    static float[] row(float[] data, int t, int h) {
        return Arrays.copyOfRange(data, t * h, (t + 1) * h);
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) Math.abs(expected[i] - actual[i])).as("%s[%d]: expected %s, got %s", what, i, expected[i], actual[i]).isLessThanOrEqualTo(tol);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"max_length_truncated", "single_sentence", "numbers_punct", "single_short"})
    void wordVectorsAreRowsOfTheLastHiddenState(String name) {
        JsonNode c = goldenCase(name);
        String text = c.get("texts").get(0).asText();
        float[] hidden = Shared.npy(GOLDENS, c.get("outputs").get("last_hidden_state"));
        int h = 32;
        List<String> goldTokens = new ArrayList<>();
        c.get("tokens").get(0).forEach(t -> goldTokens.add(t.asText()));

        // tokens: every row, special tokens included
        List<Embeddings.TokenEmbedding> tokens = emb.tokens(text);
        assertThat(tokens).extracting(Embeddings.TokenEmbedding::token).containsExactlyElementsOf(goldTokens);
        for (Embeddings.TokenEmbedding t : tokens) assertClose(row(hidden, t.index(), h), t.vector(), 1e-4, name + " token " + t.index());

        // words: independently, a word's pieces are the golden tokens that spell it (lower case, ## joined)
        List<Embeddings.WordEmbedding> first = emb.words(text, Embeddings.WordPooling.FIRST);
        List<Embeddings.WordEmbedding> mean = emb.words(text, Embeddings.WordPooling.MEAN);
        List<Embeddings.WordEmbedding> last = emb.words(text, Embeddings.WordPooling.LAST);
        int t = 1;
        boolean multiPiece = false;
        for (int w = 0; w < first.size(); w++) {
            Embeddings.WordEmbedding fw = first.get(w);
            assertThat(text.substring(fw.begin(), fw.end())).isEqualTo(fw.word());
            assertThat(fw.endInclusive()).isEqualTo(fw.end() - 1);
            if (t >= goldTokens.size() - 1) { // past the truncation
                assertThat(fw.pieces()).as("word %s after the cut", fw.word()).isZero();
                assertThat(fw.vector()).containsOnly(0f);
                continue;
            }
            int start = t;
            StringBuilder spelled = new StringBuilder();
            while (t < goldTokens.size() - 1 && !spelled.toString().equals(fw.word().toLowerCase())) {
                spelled.append(goldTokens.get(t++).replace("##", ""));
            }
            int n = t - start;
            if (!spelled.toString().equals(fw.word().toLowerCase())) {
                assertThat(t).as("only the last word may be cut").isEqualTo(goldTokens.size() - 1);
            }
            multiPiece |= n > 1;
            assertThat(fw.pieces()).as("pieces of %s", fw.word()).isEqualTo(n);
            assertClose(row(hidden, start, h), fw.vector(), 1e-4, "first piece of " + fw.word());
            assertClose(row(hidden, t - 1, h), last.get(w).vector(), 1e-4, "last piece of " + fw.word());
            float[] m = new float[h];
            for (int k = start; k < t; k++) for (int d = 0; d < h; d++) m[d] += hidden[k * h + d] / n;
            assertClose(m, mean.get(w).vector(), 1e-4, "mean of " + fw.word());
        }
        if (name.equals("max_length_truncated")) {
            assertThat(multiPiece).as("the case has words of several pieces").isTrue();
            assertThat(first.stream().filter(x -> x.word().equals("mountains")).findFirst().orElseThrow().pieces()).isEqualTo(4);
        }
    }

    @Test
    void truncationIsCounted() {
        Embeddings e = new Embeddings(model, null, Embeddings.Options.defaults());
        String text = goldenCase("max_length_truncated").get("texts").get(0).asText();
        e.words(text, Embeddings.WordPooling.FIRST);
        e.sentence("short");
        assertThat(e.truncatedInputs()).isEqualTo(1);
        assertThat(e.tokens(text)).hasSize(64);
    }

    @Test
    void callerWordsAsSparkNlpTokens() {
        String text = "Paris, the wonderful city";
        List<Embeddings.Span> spans = Embeddings.Span.locate(text, List.of("Paris,", "the", "wonderful", "city"));
        List<Embeddings.WordEmbedding> ws = emb.words(text, spans, Embeddings.WordPooling.LAST);
        assertThat(ws).extracting(Embeddings.WordEmbedding::word).containsExactly("Paris,", "the", "wonderful", "city");
        List<Embeddings.TokenEmbedding> ts = emb.tokens(text);
        // "Paris," covers the pieces of "paris" and ","; its last piece is ","
        assertClose(ts.get(2).vector(), ws.get(0).vector(), 0, "Paris,");
        assertThat(ws.get(0).pieces()).isEqualTo(2);
        assertThat(ws.get(2).pieces()).isGreaterThan(1); // wonderful: wond ##erf ##u ##l
        assertThatThrownBy(() -> Embeddings.Span.locate(text, List.of("Rome"))).hasMessageContaining("\"Rome\" is not in the text");
        assertThatThrownBy(() -> emb.words(text, List.of(new Embeddings.Span(5, 9), new Embeddings.Span(0, 3)), Embeddings.WordPooling.FIRST))
                .hasMessageContaining("overlaps or precedes");
        assertThatThrownBy(() -> emb.words(text, List.of(new Embeddings.Span(5, 99)), Embeddings.WordPooling.FIRST))
                .hasMessageContaining("ends past the text");
    }

    @Test
    void windowsAverageOverlappingWindows() {
        String text = goldenCase("max_length_truncated").get("texts").get(0).asText();
        Embeddings w = new Embeddings(model, null, Embeddings.Options.defaults()
                .withLongInputs(Embeddings.LongInputs.WINDOWS).withStride(10));
        List<Embeddings.TokenEmbedding> ts = w.tokens(text);
        int[] body = model.tokenizer().encode(text, dev.distil4j.tokenizer.EncodeOptions.DEFAULT.withAddSpecialTokens(false)).ids();
        assertThat(ts).hasSize(body.length + 2);
        assertThat(w.truncatedInputs()).isZero();
        // windows of 62 text tokens, 10 shared: [0, 62), [52, 114), ...
        int n1 = Math.min(62, body.length - 52);
        int[] w0 = new int[64], w1 = new int[n1 + 2];
        w0[0] = w1[0] = 3;
        w0[63] = w1[n1 + 1] = 4;
        System.arraycopy(body, 0, w0, 1, 62);
        System.arraycopy(body, 52, w1, 1, n1);
        float[] h0 = model.model().forward(ModelInput.of(w0)).lastHiddenState().data();
        float[] h1 = model.model().forward(ModelInput.of(w1)).lastHiddenState().data();
        assertClose(row(h0, 1, 32), ts.get(1).vector(), 1e-6, "token 0, first window only");
        assertClose(row(h0, 52, 32), ts.get(52).vector(), 1e-6, "token 51, first window only");
        float[] both = new float[32];
        for (int d = 0; d < 32; d++) both[d] = (h0[53 * 32 + d] + h1[1 * 32 + d]) / 2;
        assertClose(both, ts.get(53).vector(), 1e-6, "token 52, in both windows");
        // every word has pieces now
        assertThat(w.words(text, Embeddings.WordPooling.MEAN)).allMatch(x -> x.pieces() > 0);
        float[] s = w.sentence(text);
        assertThat(s).hasSize(32);
        assertThatThrownBy(() -> new Embeddings(model, null, Embeddings.Options.defaults()
                .withLongInputs(Embeddings.LongInputs.WINDOWS).withStride(62)).tokens(text))
                .hasMessageContaining("stride 62 must be smaller than the window");
    }

    @Test
    void documentsAreSplitIntoSentencesWithDocumentOffsets() {
        String doc = "Dr. Smith lives in Paris. He loves the wonderful city!\n\nAnother paragraph here";
        Embeddings.DocumentEmbeddings d = emb.document(doc, Embeddings.WordPooling.FIRST);
        assertThat(d.sentences()).extracting(SentenceSplitter.Sentence::text)
                .containsExactly("Dr. Smith lives in Paris.", "He loves the wonderful city!", "Another paragraph here");
        for (SentenceSplitter.Sentence s : d.sentences()) assertThat(doc.substring(s.begin(), s.end())).isEqualTo(s.text());
        for (Embeddings.WordEmbedding w : d.words()) assertThat(doc.substring(w.begin(), w.end())).isEqualTo(w.word());
        List<Embeddings.WordEmbedding> second = d.words().stream().filter(w -> w.sentence() == 1).toList();
        List<Embeddings.WordEmbedding> alone = emb.words("He loves the wonderful city!", Embeddings.WordPooling.FIRST);
        assertThat(second).hasSameSizeAs(alone);
        for (int i = 0; i < alone.size(); i++) {
            assertThat(second.get(i).begin()).isEqualTo(alone.get(i).begin() + d.sentences().get(1).begin());
            assertClose(alone.get(i).vector(), second.get(i).vector(), 1e-6, "word " + i);
        }
    }

    @Test
    void emptyTextHasNoWordsButASentenceVector() {
        assertThat(emb.words("", Embeddings.WordPooling.FIRST)).isEmpty();
        assertThat(emb.tokens("")).extracting(Embeddings.TokenEmbedding::token).containsExactly("[CLS]", "[SEP]");
        assertThat(emb.sentence("   ")).hasSize(32);
        assertThat(emb.document("", Embeddings.WordPooling.FIRST).sentences()).isEmpty();
    }

    @Test
    void splitWordsLikeBertsBasicTokenizer() {
        String t = "Call 555-1234 at 9:30am!!! (really?)";
        assertThat(Embeddings.splitWords(t).stream().map(s -> t.substring(s.begin(), s.end())).toList())
                .containsExactly("Call", "555", "-", "1234", "at", "9", ":", "30am", "!", "!", "!", "(", "really", "?", ")");
    }

    @Test
    void robertaWordsSkipTheSpaceMarker() {
        try (PipelineModel rm = PipelineModel.load(Shared.path("fixtures/models/roberta-mlm"), Model.Options.defaults().withHead(HeadType.NONE))) {
            Embeddings r = new Embeddings(rm, null, Embeddings.Options.defaults());
            String text = "Paris is  lovely";
            List<Embeddings.TokenEmbedding> ts = r.tokens(text);
            List<Embeddings.WordEmbedding> ws = r.words(text, Embeddings.WordPooling.FIRST);
            assertThat(ws).extracting(Embeddings.WordEmbedding::word).containsExactly("Paris", "is", "lovely");
            for (Embeddings.WordEmbedding w : ws) {
                Embeddings.TokenEmbedding firstPiece = ts.stream().filter(x -> !x.special() && x.end() > w.begin() && x.begin() < w.end())
                        .findFirst().orElseThrow();
                assertClose(firstPiece.vector(), w.vector(), 0, w.word());
                assertThat(w.pieces()).isPositive();
            }
        }
    }
}
