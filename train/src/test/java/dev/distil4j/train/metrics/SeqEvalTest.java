package dev.distil4j.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distil4j.train.metrics.SeqEval.Entity;
import dev.distil4j.train.metrics.TokenClassificationMetrics.TypeScores;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeqEvalTest {
    private static final double EPS = 1e-12;

    private static List<Entity> entities(String... tags) {
        return SeqEval.entities(List.of(tags));
    }

    private static Entity e(String type, int start, int end) {
        return new Entity(type, start, end);
    }

    @Test
    void entityAtSentenceEndIsClosed() {
        assertThat(entities("B-PER", "I-PER", "O", "B-LOC")).containsExactly(e("PER", 0, 1), e("LOC", 3, 3));
        assertThat(entities("O", "B-ORG", "I-ORG")).containsExactly(e("ORG", 1, 2));
    }

    @Test
    void iWithoutBStartsAnEntityAsConllevalDoes() {
        assertThat(entities("I-PER", "O")).containsExactly(e("PER", 0, 0));
        assertThat(entities("O", "I-PER", "I-PER", "O")).containsExactly(e("PER", 1, 2));
        // IOB1: B- only separates two adjacent entities of one type
        assertThat(entities("I-PER", "I-PER", "B-PER", "O")).containsExactly(e("PER", 0, 1), e("PER", 2, 2));
    }

    @Test
    void typeChangeInsideARunSplitsIt() {
        assertThat(entities("B-PER", "I-PER", "I-LOC", "I-LOC")).containsExactly(e("PER", 0, 1), e("LOC", 2, 3));
        assertThat(entities("B-PER", "I-LOC")).containsExactly(e("PER", 0, 0), e("LOC", 1, 1));
        assertThat(entities("B-PER", "B-PER")).containsExactly(e("PER", 0, 0), e("PER", 1, 1));
    }

    @Test
    void ioesAndIoeTagsDecode() {
        assertThat(entities("S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC"))
                .containsExactly(e("PER", 0, 0), e("LOC", 1, 3), e("LOC", 4, 4));
        // an I- right after E- or S- starts a new entity
        assertThat(entities("B-X", "E-X", "I-X", "E-X")).containsExactly(e("X", 0, 1), e("X", 2, 3));
        assertThat(entities("S-X", "I-X")).containsExactly(e("X", 0, 0), e("X", 1, 1));
        // IOE1: E- ends a run that began with I-
        assertThat(entities("I-X", "E-X", "I-X")).containsExactly(e("X", 0, 1), e("X", 2, 2));
    }

    @Test
    void allOHasNoEntities() {
        assertThat(entities("O", "O", "O")).isEmpty();
        assertThat(entities()).isEmpty();
    }

    @Test
    void seqevalReadmeExample() {
        var gold = List.of(List.of("O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));
        var pred = List.of(List.of("O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"), List.of("B-PER", "I-PER", "O"));
        TokenClassificationMetrics m = SeqEval.evaluate(gold, pred);
        assertThat(m.precision()).isCloseTo(0.5, within(EPS));
        assertThat(m.recall()).isCloseTo(0.5, within(EPS));
        assertThat(m.f1()).isCloseTo(0.5, within(EPS));
        assertThat(m.accuracy()).isCloseTo(0.8, within(EPS));
        assertThat(m.examples()).isEqualTo(2);
        assertThat(m.tokens()).isEqualTo(10);
        assertThat(m.perType()).containsExactly(
                java.util.Map.entry("MISC", new TypeScores(0, 0, 0, 1)),
                java.util.Map.entry("PER", new TypeScores(1, 1, 1, 1)));
    }

    @Test
    void microScoresAndPerTypeIncludingPredictedOnlyTypes() {
        var gold = List.of(List.of("B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG"), List.of("O", "O"));
        var pred = List.of(List.of("B-PER", "I-PER", "O", "B-LOC", "I-LOC", "B-ORG"), List.of("B-MISC", "O"));
        TokenClassificationMetrics m = SeqEval.evaluate(gold, pred);
        // true PER(0,1) LOC(3,3) ORG(5,5); predicted PER(0,1) LOC(3,4) ORG(5,5) MISC: 2 correct of 4 predicted, 3 true
        assertThat(m.precision()).isCloseTo(0.5, within(EPS));
        assertThat(m.recall()).isCloseTo(2.0 / 3, within(EPS));
        assertThat(m.f1()).isCloseTo(4.0 / 7, within(EPS));
        assertThat(m.accuracy()).isCloseTo(6.0 / 8, within(EPS));
        assertThat(m.perType().keySet()).containsExactly("LOC", "MISC", "ORG", "PER");
        assertThat(m.perType().get("LOC")).isEqualTo(new TypeScores(0, 0, 0, 1));
        assertThat(m.perType().get("MISC")).isEqualTo(new TypeScores(0, 0, 0, 0));
        assertThat(m.perType().get("ORG")).isEqualTo(new TypeScores(1, 1, 1, 1));
    }

    @Test
    void noPredictedEntitiesGivesZeroPrecisionWithoutDividingByZero() {
        var gold = List.of(List.of("B-PER", "I-PER", "O"));
        var pred = List.of(List.of("O", "O", "O"));
        TokenClassificationMetrics m = SeqEval.evaluate(gold, pred);
        assertThat(m.precision()).isZero();
        assertThat(m.recall()).isZero();
        assertThat(m.f1()).isZero();
        assertThat(m.accuracy()).isCloseTo(1.0 / 3, within(EPS));
        assertThat(m.perType().get("PER")).isEqualTo(new TypeScores(0, 0, 0, 1));
    }

    @Test
    void allOEverywhereScoresZeroEntitiesButFullAccuracy() {
        var tags = List.of(List.of("O", "O"), List.of("O"));
        TokenClassificationMetrics m = SeqEval.evaluate(tags, tags);
        assertThat(m.precision()).isZero();
        assertThat(m.recall()).isZero();
        assertThat(m.f1()).isZero();
        assertThat(m.accuracy()).isEqualTo(1.0);
        assertThat(m.perType()).isEmpty();
    }

    @Test
    void entitiesDoNotRunAcrossSentences() {
        // one sentence ends in B-PER and the next starts with I-PER: two entities, not one
        var gold = List.of(List.of("O", "B-PER"), List.of("I-PER", "O"));
        var pred = List.of(List.of("O", "B-PER"), List.of("I-PER", "O"));
        TokenClassificationMetrics m = SeqEval.evaluate(gold, pred);
        assertThat(m.perType().get("PER").support()).isEqualTo(2);
        assertThat(m.f1()).isEqualTo(1.0);
    }

    @Test
    void rejectsMismatchedLengthsNamingTheSentence() {
        var gold = List.of(List.of("O"), List.of("O", "B-PER"));
        var pred = List.of(List.of("O"), List.of("O"));
        assertThatThrownBy(() -> SeqEval.evaluate(gold, pred))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sentence 1")
                .hasMessageContaining("2 true tags but 1 predicted");
        assertThatThrownBy(() -> SeqEval.evaluate(gold, List.of(List.of("O"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 true sentences but 1 predicted");
        assertThatThrownBy(() -> SeqEval.evaluate(List.of(List.of()), List.of(List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no tokens");
    }

    @Test
    void rejectsTagsThatAreNotOOrPrefixedWithAType() {
        for (String bad : new String[] {"PER", "B-", "B", "X-PER", "o"}) {
            assertThatThrownBy(() -> SeqEval.evaluate(List.of(List.of("O", "O")), List.of(List.of("O", bad))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sentence 0, predicted tags[1] = \"" + bad + "\"");
        }
        assertThatThrownBy(() -> SeqEval.entities(List.of("B-PER", "MISC")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tags[1] = \"MISC\"");
    }
}
