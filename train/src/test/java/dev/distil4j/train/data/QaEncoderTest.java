package dev.distil4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.Shared;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class QaEncoderTest {
    static final Tokenizer TOK = Tokenizer.fromDirectory(Shared.path("fixtures/models/distilbert-qa"));

    /** 116 tokens with the tiny vocabulary, one per word or punctuation mark. */
    static final String CONTEXT = "Once upon a time there lived a small fox in the valley near the village. Every "
            + "morning he watches the old clock in the cafe. The clock was ticking and he told stories about Paris, "
            + "the capital of France. He loved coffee and creme brulee. One morning the fox opened the door of the "
            + "cafe and guess what he did? He brewed a warm cup of coffee for the lazy dog. The dog sleeps near the "
            + "door. The quick brown fox jumps over the lazy dog every morning at 30am. When the clocks open the "
            + "shop, the robots repair the clocks for six hundred years.";
    /** 6 tokens. */
    static final String QUESTION = "What did the fox open?";

    static QaExample example(String id, String answer, int start) {
        assertThat(CONTEXT.substring(start)).startsWith(answer);
        return new QaExample(id, "fox", CONTEXT, QUESTION, List.of(new QaExample.Answer(answer, start)), false,
                new Origin("squad.json", 12));
    }

    /** 48 tokens a window: 3 special + 6 question + 39 context; stride 10, so windows start 29 context tokens apart. */
    static final QaEncoder ENCODER = new QaEncoder(TOK, 48, 10);

    private static String decode(int[] ids, int from, int to) {
        return TOK.decode(Arrays.copyOfRange(ids, from, to + 1), true, true);
    }

    @Test
    void theAnswerIsFoundInTheWindowThatHoldsItWhole() {
        assertThat(TOK.tokenize(CONTEXT)).hasSize(116);
        assertThat(TOK.tokenize(QUESTION)).hasSize(6);
        String answer = "the door of the cafe";   // context tokens 55..59
        QaExample e = example("q1", answer, CONTEXT.indexOf(answer));
        List<QaTrainFeature> fs = ENCODER.trainFeatures(e);
        // windows over context tokens [0,39) [29,68) [58,97) [87,116)
        assertThat(fs).hasSize(4);
        assertThat(fs).allSatisfy(f -> {
            assertThat(f.length()).isLessThanOrEqualTo(48);
            assertThat(f.exampleId()).isEqualTo("q1");
            assertThat(decode(f.inputIds(), 1, 6)).isEqualTo("what did the fox open?");
        });
        assertThat(fs.get(0).length()).isEqualTo(48);
        assertThat(fs.get(3).length()).isEqualTo(3 + 6 + 29);
        // window 1: context token k sits at 8 + (k - 29)
        QaTrainFeature hit = fs.get(1);
        assertThat(hit.startPosition()).isEqualTo(34);
        assertThat(hit.endPosition()).isEqualTo(38);
        assertThat(decode(hit.inputIds(), hit.startPosition(), hit.endPosition())).isEqualTo(answer);
        // window 2 starts at context token 58: it holds only "the cafe", so it points at CLS; 0 and 3 miss it
        assertThat(decode(fs.get(2).inputIds(), 8, 9)).isEqualTo("the cafe");
        for (int w : new int[] {0, 2, 3}) {
            assertThat(fs.get(w).startPosition()).as("window %d", w).isZero();
            assertThat(fs.get(w).endPosition()).as("window %d", w).isZero();
        }
        // the windows share 10 context tokens
        int[] w0 = fs.get(0).inputIds();
        int[] w1 = fs.get(1).inputIds();
        assertThat(Arrays.copyOfRange(w1, 8, 18)).containsExactly(Arrays.copyOfRange(w0, 8 + 29, 8 + 39));
        assertThat(fs.get(1).tokenTypeIds()).containsExactly(
                0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void anAnswerInTwoWindowsIsLabelledInBoth() {
        String answer = "guess what he did";   // context tokens 61..64, in the overlap [58,68) of windows 1 and 2
        List<QaTrainFeature> fs = ENCODER.trainFeatures(example("q2", answer, CONTEXT.indexOf(answer)));
        assertThat(fs).extracting(QaTrainFeature::startPosition).containsExactly(0, 8 + 61 - 29, 8 + 61 - 58, 0);
        assertThat(fs).extracting(QaTrainFeature::endPosition).containsExactly(0, 8 + 64 - 29, 8 + 64 - 58, 0);
        for (QaTrainFeature f : fs.subList(1, 3)) {
            assertThat(decode(f.inputIds(), f.startPosition(), f.endPosition())).isEqualTo(answer);
        }
    }

    @Test
    void answersOnTheFirstAndLastContextTokensOfAWindow() {
        // "Once" is the first context token of window 0; the final "." the last of window 3 (before [SEP])
        QaTrainFeature first = ENCODER.trainFeatures(example("first", "Once", 0)).get(0);
        assertThat(first.startPosition()).isEqualTo(8);
        assertThat(first.endPosition()).isEqualTo(8);
        List<QaTrainFeature> fs = ENCODER.trainFeatures(example("last", ".", CONTEXT.length() - 1));
        QaTrainFeature last = fs.get(3);
        assertThat(last.startPosition()).isEqualTo(last.length() - 2);
        assertThat(last.endPosition()).isEqualTo(last.length() - 2);
        assertThat(decode(last.inputIds(), last.startPosition(), last.endPosition())).isEqualTo(".");
        // an answer that is part of a token: the token holding it is the span ("cup" of "cup")
        QaTrainFeature part = ENCODER.trainFeatures(example("part", "cu", CONTEXT.indexOf("cup"))).get(2);
        assertThat(decode(part.inputIds(), part.startPosition(), part.endPosition())).isEqualTo("cup");
    }

    @Test
    void anUnanswerableQuestionPointsAtClsEverywhere() {
        QaExample e = new QaExample("imp", "", CONTEXT, QUESTION, List.of(), true, new Origin("v2.json", 3));
        List<QaTrainFeature> fs = ENCODER.trainFeatures(e);
        assertThat(fs).hasSize(4);
        assertThat(fs).allSatisfy(f -> {
            assertThat(f.startPosition()).isZero();
            assertThat(f.endPosition()).isZero();
        });
    }

    @Test
    void leadingWhitespaceOfTheQuestionIsDropped() {
        QaExample a = example("a", "Paris", CONTEXT.indexOf("Paris"));
        QaExample b = new QaExample("a", "fox", CONTEXT, "  \t " + QUESTION, a.answers(), false, a.origin());
        assertThat(ENCODER.trainFeatures(b)).isEqualTo(ENCODER.trainFeatures(a));
    }

    @Test
    void validationFeaturesKeepContextOffsetsOnly() {
        QaExample e = example("v", "Paris", CONTEXT.indexOf("Paris"));
        List<QaEvalFeature> fs = ENCODER.validationFeatures(List.of(e));
        assertThat(fs).hasSize(4);
        for (QaEvalFeature f : fs) {
            assertThat(f.exampleId()).isEqualTo("v");
            int[][] offsets = f.offsetMapping();
            int[] ids = f.inputIds();
            for (int i = 0; i < f.length(); i++) {
                boolean context = i >= 8 && i < f.length() - 1;
                assertThat(offsets[i] != null).as("token %d", i).isEqualTo(context);
                if (context) {
                    // every context token of this vocabulary is a whole word or mark: its text decodes back
                    assertThat(CONTEXT.substring(offsets[i][0], offsets[i][1]).toLowerCase())
                            .isEqualTo(TOK.decode(new int[] {ids[i]}, true, true));
                }
            }
        }
        assertThat(fs.get(1).startAt(8)).isEqualTo(fs.get(0).startAt(8 + 29));
        assertThat(fs.get(3).endAt(fs.get(3).length() - 2)).isEqualTo(CONTEXT.length());
    }

    @Test
    void aShortContextGivesOneWindowAndTheDefaultsFollowRunQa() {
        QaExample e = new QaExample("s", "", "The dog sleeps near the door.", "Where does the dog sleep?",
                List.of(new QaExample.Answer("near the door", 15)), false, new Origin("s.json", 1));
        QaEncoder defaults = QaEncoder.of(TOK);
        assertThat(defaults.maxLength()).isEqualTo(64);   // 384 lowered to the tiny model's maximum
        assertThat(defaults.docStride()).isEqualTo(128);
        List<QaTrainFeature> fs = defaults.trainFeatures(e);
        assertThat(fs).hasSize(1);
        QaTrainFeature f = fs.get(0);
        assertThat(decode(f.inputIds(), f.startPosition(), f.endPosition())).isEqualTo("near the door");
    }

    @Test
    void aQuestionThatLeavesNoRoomIsAnErrorNamingIt() {
        String longQuestion = String.join(" ", java.util.Collections.nCopies(45, "why"));
        QaExample e = new QaExample("too-long", "", CONTEXT, longQuestion, List.of(), true, new Origin("big.json", 77));
        assertThatThrownBy(() -> ENCODER.trainFeatures(e))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("big.json:77")
                .hasMessageContaining("question 'too-long'")
                .hasMessageContaining("no room for the context");
        QaEncoder wideStride = new QaEncoder(TOK, 48, 39);
        assertThatThrownBy(() -> wideStride.validationFeatures(example("stride", "Once", 0)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("squad.json:12")
                .hasMessageContaining("doc stride 39 must be less than the 39 context tokens");
    }
}
