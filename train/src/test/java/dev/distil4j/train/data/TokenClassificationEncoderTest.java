package dev.distil4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.Shared;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenClassificationEncoderTest {
    private static final Tokenizer TOK = Tokenizer.fromDirectory(Shared.path("fixtures/models/distilbert-tokcls"));
    /** distilbert-tokcls's config.json id2label. */
    private static final LabelSet TAGS = LabelSet.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");
    private static final int X = TokenFeature.IGNORE;

    private static final TokenExample SENTENCE = new TokenExample(
            List.of("Anna", "was", "repairing", "clocks", "in", "the", "valleys", "near", "Zurich"),
            List.of("B-PER", "O", "O", "O", "O", "O", "B-LOC", "O", "B-LOC"),
            new Origin("ner.txt", 40));

    @Test
    void onlyTheFirstPieceOfAWordIsLabelled() {
        TokenFeature f = TokenClassificationEncoder.of(TOK, TAGS).encode(SENTENCE);
        // [CLS] anna was repair ##ing clocks in the valley ##s near zurich [SEP]
        assertThat(f.inputIds()).containsExactly(3, 117, 218, 188, 259, 132, 154, 204, 214, 95, 173, 230, 4);
        assertThat(TOK.idToToken(259)).isEqualTo("##ing");
        assertThat(TOK.idToToken(95)).isEqualTo("##s");
        assertThat(f.labels()).containsExactly(X, 1, 0, 0, X, 0, 0, 0, 3, X, 0, 3, X);
        assertThat(f.wordIds()).containsExactly(-1, 0, 1, 2, 2, 3, 4, 5, 6, 6, 7, 8, -1);
        assertThat(f.attentionMask()).containsOnly(1);
        assertThat(f.tokenTypeIds()).containsOnly(0);
    }

    @Test
    void labelAllTokensGivesLaterPiecesTheInsideTag() {
        TokenFeature f = new TokenClassificationEncoder(TOK, 64, TAGS, true).encode(SENTENCE);
        // repair ##ing: O O; valley ##s: B-LOC I-LOC
        assertThat(f.labels()).containsExactly(X, 1, 0, 0, 0, 0, 0, 0, 3, 4, 0, 3, X);
    }

    @Test
    void truncationKeepsTheFirstTokens() {
        TokenFeature f = new TokenClassificationEncoder(TOK, 6, TAGS, false).encode(SENTENCE);
        // [CLS] anna was repair ##ing [SEP]
        assertThat(f.inputIds()).containsExactly(3, 117, 218, 188, 259, 4);
        assertThat(f.labels()).containsExactly(X, 1, 0, 0, X, X);
        assertThat(f.wordIds()).containsExactly(-1, 0, 1, 2, 2, -1);
    }

    @Test
    void anUnknownTagNamesTheSentenceAndWord() {
        TokenExample bad = new TokenExample(List.of("Paris", "rocks"), List.of("B-CITY", "O"), new Origin("ner.txt", 7));
        assertThatThrownBy(() -> TokenClassificationEncoder.of(TOK, TAGS).encode(bad))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("ner.txt:7")
                .hasMessageContaining("word 0 'Paris'")
                .hasMessageContaining("unknown label 'B-CITY'");
    }

    @Test
    void everyWordOfTheRealCoNLLValidationSetIsLabelledOnce() {
        List<TokenExample> sentences = ConllReader.read(Shared.path("data/conll2003/valid.txt")).examples();
        LabelSet tags = LabelSet.fromTokenExamples(sentences);
        List<TokenFeature> fs = TokenClassificationEncoder.of(TOK, tags).encodeAll(sentences);
        int truncated = 0;
        for (int i = 0; i < fs.size(); i++) {
            TokenFeature f = fs.get(i);
            TokenExample s = sentences.get(i);
            assertThat(f.length()).isLessThanOrEqualTo(64);
            List<Integer> labelled = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            int[] w = f.wordIds();
            int[] l = f.labels();
            for (int t = 0; t < f.length(); t++) {
                if (l[t] != X) {
                    labelled.add(w[t]);
                    labels.add(l[t]);
                }
            }
            int n = labelled.size();
            if (n < s.size()) {
                truncated++;
                assertThat(f.length()).as("sentence at %s", s.origin()).isEqualTo(64);
            }
            // the labelled tokens are the words in order, each once, carrying its tag
            assertThat(labelled).as("sentence at %s", s.origin()).isEqualTo(IntStream.range(0, n).boxed().toList());
            assertThat(labels).isEqualTo(s.tags().subList(0, n).stream().map(tags::indexOf).toList());
        }
        // the tiny vocabulary splits unknown words into single letters, so long sentences overflow 64 tokens
        assertThat(truncated).isPositive().isLessThan(fs.size() / 2);
    }

    @Test
    void byteLevelTokenizersGetASpaceBeforeEveryWord() {
        Tokenizer roberta = Tokenizer.fromDirectory(Shared.path("fixtures/models/roberta-seqcls"));
        TokenExample e = new TokenExample(List.of("hello", "world", "zurich"), List.of("O", "O", "B-LOC"),
                new Origin("r.txt", 1));
        TokenFeature f = TokenClassificationEncoder.of(roberta, TAGS).encode(e);
        // <s> Ġhe l lo Ġw or ld Ġ z u ri ch </s>: the first word too starts with Ġ
        assertThat(f.inputIds()).containsExactly(roberta.encode(" hello world zurich").ids());
        assertThat(roberta.idToToken(f.inputIds()[1])).isEqualTo("Ġhe");
        assertThat(f.wordIds()).containsExactly(-1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, -1);
        assertThat(f.labels()).containsExactly(X, 0, X, X, 0, X, X, 3, X, X, X, X, X);
    }
}
