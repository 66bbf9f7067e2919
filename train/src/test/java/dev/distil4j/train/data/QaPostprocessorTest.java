package dev.distil4j.train.data;

import static dev.distil4j.train.data.QaEncoderTest.CONTEXT;
import static dev.distil4j.train.data.QaEncoderTest.ENCODER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class QaPostprocessorTest {

    private static QaExample question(String id, boolean impossible) {
        List<QaExample.Answer> answers = impossible ? List.of()
                : List.of(new QaExample.Answer("Paris", CONTEXT.indexOf("Paris")));
        return new QaExample(id, "", CONTEXT, QaEncoderTest.QUESTION, answers, impossible, new Origin("dev.json", 5));
    }

    /** Logits of -100 everywhere, {@code extra} positions longer than the feature (padding). */
    private static List<float[]> flat(List<QaEvalFeature> fs, int extra) {
        List<float[]> out = new ArrayList<>();
        for (QaEvalFeature f : fs) {
            float[] a = new float[f.length() + extra];
            Arrays.fill(a, -100f);
            out.add(a);
        }
        return out;
    }

    @Test
    void picksTheBestSpanInsideTheContext() {
        QaExample e = question("q", false);
        List<QaEvalFeature> fs = ENCODER.validationFeatures(e);
        assertThat(fs).hasSize(4);
        List<float[]> start = flat(fs, 0);
        List<float[]> end = flat(fs, 0);
        // window 1, tokens 34..38: "the door of the cafe", score 9
        start.get(1)[34] = 5f;
        end.get(1)[38] = 4f;
        // higher, but on question tokens (not context): never an answer
        start.get(1)[2] = 50f;
        end.get(1)[3] = 50f;
        // higher, but ending before it starts
        start.get(0)[20] = 40f;
        end.get(0)[15] = 40f;
        // higher, but 31 tokens long
        start.get(2)[9] = 60f;
        end.get(2)[39] = 60f;

        QaPrediction p = QaPostprocessor.squadV1().postprocess(List.of(e), fs, start, end).get(0);
        assertThat(p.exampleId()).isEqualTo("q");
        assertThat(p.text()).isEqualTo("the door of the cafe");
        assertThat(p.nullScoreDiff()).isNaN();
        QaPrediction.Candidate best = p.nBest().get(0);
        assertThat(best.score()).isEqualTo(9f);
        assertThat(best.startLogit()).isEqualTo(5f);
        assertThat(best.endLogit()).isEqualTo(4f);
        assertThat(CONTEXT.substring(best.start(), best.end())).isEqualTo("the door of the cafe");
        assertThat(p.nBest()).hasSize(20);
        assertThat(p.nBest()).extracting(QaPrediction.Candidate::score).isSortedAccordingTo((a, b) -> Float.compare(b, a));
        assertThat(p.nBest().stream().mapToDouble(QaPrediction.Candidate::probability).sum()).isCloseTo(1.0, within(1e-9));
        assertThat(best.probability()).isGreaterThan(0.99);

        // allow 31 tokens and the long span wins, taken from the context with its original case
        QaPrediction longer = new QaPostprocessor(20, 31, false, 0f).postprocess(List.of(e), fs, start, end).get(0);
        QaEvalFeature w2 = fs.get(2);
        assertThat(longer.text()).isEqualTo(CONTEXT.substring(w2.startAt(9), w2.endAt(39)));
        assertThat(longer.text()).startsWith("cafe and guess what he did? He brewed").endsWith("fox jumps");
    }

    @Test
    void paddedLogitsArePassedOver() {
        QaExample e = question("pad", false);
        List<QaEvalFeature> fs = ENCODER.validationFeatures(e);
        List<float[]> start = flat(fs, 10);
        List<float[]> end = flat(fs, 10);
        QaEvalFeature w3 = fs.get(3);
        start.get(3)[w3.length() + 2] = 90f;
        end.get(3)[w3.length() + 3] = 90f;
        start.get(0)[8] = 1f;   // "Once"
        end.get(0)[8] = 1f;
        assertThat(QaPostprocessor.squadV1().postprocess(List.of(e), fs, start, end).get(0).text()).isEqualTo("Once");
    }

    @Test
    void version2ComparesTheSmallestNullScoreWithTheBestSpan() {
        QaExample e = question("v2", true);
        List<QaEvalFeature> fs = ENCODER.validationFeatures(e);
        List<float[]> start = flat(fs, 0);
        List<float[]> end = flat(fs, 0);
        float[] nulls = {3f, 1f, 5f, 5f};   // null scores 6, 2, 10, 10: the smallest, 2, counts
        for (int w = 0; w < 4; w++) {
            start.get(w)[0] = nulls[w];
            end.get(w)[0] = nulls[w];
        }
        start.get(1)[34] = 2f;
        end.get(1)[38] = 1.5f;   // span score 3.5 beats the null score 2

        QaPrediction answered = QaPostprocessor.squadV2().postprocess(List.of(e), fs, start, end).get(0);
        assertThat(answered.text()).isEqualTo("the door of the cafe");
        assertThat(answered.nullScoreDiff()).isEqualTo(-1.5f);
        QaPrediction.Candidate nul = answered.nBest().stream().filter(c -> c.text().isEmpty()).findFirst().orElseThrow();
        assertThat(nul.score()).isEqualTo(2f);
        assertThat(nul.start()).isZero();
        assertThat(nul.end()).isZero();

        end.get(1)[38] = 0.5f;   // span score 2.5 ... null 2 - 2.5 = -0.5: still answered
        assertThat(QaPostprocessor.squadV2().postprocess(List.of(e), fs, start, end).get(0).text())
                .isEqualTo("the door of the cafe");
        start.get(1)[34] = 1f;   // span score 1.5: null 2 beats it by 0.5
        QaPrediction empty = QaPostprocessor.squadV2().postprocess(List.of(e), fs, start, end).get(0);
        assertThat(empty.text()).isEmpty();
        assertThat(empty.nullScoreDiff()).isEqualTo(0.5f);
        assertThat(empty.nBest().get(0).text()).isEmpty();
        // a threshold above the difference keeps the span
        assertThat(new QaPostprocessor(20, 30, true, 0.75f).postprocess(List.of(e), fs, start, end).get(0).text())
                .isEqualTo("the door of the cafe");
    }

    @Test
    void withNothingLeftTheAnswerIsTheEmptyStandIn() {
        QaExample e = question("none", false);
        List<QaEvalFeature> fs = ENCODER.validationFeatures(e);
        List<float[]> start = flat(fs, 0);
        List<float[]> end = flat(fs, 0);
        for (int w = 0; w < fs.size(); w++) {
            start.get(w)[3] = 1f;   // the single best start is always a question token
        }
        QaPrediction p = new QaPostprocessor(1, 30, false, 0f).postprocess(List.of(e), fs, start, end).get(0);
        assertThat(p.text()).isEqualTo("empty");
        assertThat(p.nBest()).singleElement().satisfies(c -> {
            assertThat(c.start()).isEqualTo(-1);
            assertThat(c.probability()).isEqualTo(1.0);
        });
    }

    @Test
    void goldPositionsOfTrainingFeaturesDecodeBackToTheAnswers() {
        List<QaExample> examples = new ArrayList<>();
        for (String a : List.of("Once upon a time", "the capital of France", "the door of the cafe", "guess what he did",
                "a warm cup of coffee", "six hundred years")) {
            examples.add(new QaExample("id-" + examples.size(), "", CONTEXT, QaEncoderTest.QUESTION,
                    List.of(new QaExample.Answer(a, CONTEXT.indexOf(a))), false, new Origin("gold.json", 1)));
        }
        List<QaTrainFeature> train = ENCODER.trainFeatures(examples);
        List<QaEvalFeature> eval = ENCODER.validationFeatures(examples);
        assertThat(train).hasSameSizeAs(eval);
        List<float[]> start = flat(eval, 0);
        List<float[]> end = flat(eval, 0);
        for (int i = 0; i < train.size(); i++) {
            QaTrainFeature t = train.get(i);
            assertThat(t.exampleId()).isEqualTo(eval.get(i).exampleId());
            if (t.startPosition() != 0) {
                start.get(i)[t.startPosition()] = 10f;
                end.get(i)[t.endPosition()] = 10f;
            }
        }
        List<QaPrediction> ps = QaPostprocessor.squadV1().postprocess(examples, eval, start, end);
        assertThat(ps).extracting(QaPrediction::text).containsExactlyElementsOf(
                examples.stream().map(x -> x.answers().get(0).text()).toList());
    }

    @Test
    void refusesMismatchedInputs() {
        QaExample e = question("m", false);
        List<QaEvalFeature> fs = ENCODER.validationFeatures(e);
        List<float[]> logits = flat(fs, 0);
        assertThatThrownBy(() -> QaPostprocessor.squadV1().postprocess(List.of(e), fs, logits.subList(0, 2), logits))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 start and 4 end logit rows for 4 features");
        assertThatThrownBy(() -> QaPostprocessor.squadV1().postprocess(List.of(question("other", false)), fs, logits,
                logits))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example 'm'");
    }
}
