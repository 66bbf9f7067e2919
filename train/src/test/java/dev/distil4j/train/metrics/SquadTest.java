package dev.distil4j.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class SquadTest {
    private static final double EPS = 1e-9;

    @Test
    void normalizationLowersDropsPunctuationArticlesAndExtraSpace() {
        assertThat(Squad.normalizeAnswer("The Eiffel Tower!")).isEqualTo("eiffel tower");
        assertThat(Squad.normalizeAnswer("  A  cat,\tan   apple \n")).isEqualTo("cat apple");
        // punctuation inside a word joins it; it goes before articles, so "(the)" is an article
        assertThat(Squad.normalizeAnswer("Eiffel-Tower's (the) end.")).isEqualTo("eiffeltowers end");
        assertThat(Squad.normalizeAnswer("_the_")).isEmpty();
        assertThat(Squad.normalizeAnswer("")).isEmpty();
    }

    @Test
    void articlesGoOnlyAsWholeWords() {
        assertThat(Squad.normalizeAnswer("Theater and answer an a-the")).isEqualTo("theater and answer athe");
        // Python's \b is Unicode-aware: "é" is a word character, so "éthe" keeps its "the"
        assertThat(Squad.normalizeAnswer("éthe thé the")).isEqualTo("éthe thé");
        // digits are word characters too
        assertThat(Squad.normalizeAnswer("1a a1 a")).isEqualTo("1a a1");
    }

    @Test
    void whitespaceIsPythonsIncludingNoBreakSpace() {
        assertThat(Squad.normalizeAnswer("new\u00a0york\u2003city")).isEqualTo("new york city");
    }

    @Test
    void exactMatchComparesNormalizedText() {
        assertThat(Squad.exactMatch("The Cat.", "cat")).isEqualTo(1.0);
        assertThat(Squad.exactMatch("cats", "cat")).isZero();
    }

    @Test
    void f1CountsSharedTokensWithMultiplicity() {
        // pred tokens (cat sat on mat), gold (cat on mat): precision 3/4, recall 1
        assertThat(Squad.f1("the cat sat on the mat", "a cat on a mat")).isCloseTo(2 * 0.75 / 1.75, within(EPS));
        // (x x y) against (x y y) share one x and one y
        assertThat(Squad.f1("x x y", "x y y")).isCloseTo(2.0 / 3, within(EPS));
        assertThat(Squad.f1("nothing shared", "at all")).isZero();
    }

    @Test
    void f1WithAnEmptySideIsOneOnlyWhenBothAreEmpty() {
        assertThat(Squad.f1("", "Denver")).isZero();
        assertThat(Squad.f1("Denver", "")).isZero();
        assertThat(Squad.f1("", "")).isEqualTo(1.0);
        assertThat(Squad.f1("The", "")).isEqualTo(1.0); // an article alone normalizes to nothing
    }

    @Test
    void v11TakesTheBestGoldAnswerAndReportsPercentages() {
        var gold = List.of(
                List.of("Denver Broncos", "Broncos", "the Denver Broncos"),
                List.of("Santa Clara, California"),
                List.of("1966"),
                List.of("Denver Broncos", "Broncos"));
        var pred = List.of("Broncos", "Santa Clara", "", "Denver");
        SquadMetrics m = Squad.evaluate(gold, pred, Squad.Version.V1_1);
        // EM 1, 0, 0, 0; F1 1, 2*1*(2/3)/(5/3) = 0.8, 0, best of (Denver|Denver Broncos) = 2/3
        assertThat(m.exactMatch()).isCloseTo(25.0, within(EPS));
        assertThat(m.f1()).isCloseTo(100 * (1 + 0.8 + 0 + 2.0 / 3) / 4, within(EPS));
        assertThat(m.examples()).isEqualTo(4);
        assertThat(m.hasAns()).isEmpty();
        assertThat(m.noAns()).isEmpty();
    }

    @Test
    void v11ScoresTwoEmptyAnswersZeroF1ButV20ScoresThemOne() {
        // gold "the" and prediction "a" both normalize to nothing: equal text, no tokens
        SquadMetrics v1 = Squad.evaluate(List.of(List.of("the")), List.of("a"), Squad.Version.V1_1);
        assertThat(v1.exactMatch()).isEqualTo(100.0);
        assertThat(v1.f1()).isZero();
        SquadMetrics v2 = Squad.evaluate(List.of(List.of("the")), List.of("a"), Squad.Version.V2_0);
        assertThat(v2.exactMatch()).isEqualTo(100.0);
        assertThat(v2.f1()).isEqualTo(100.0);
        // the raw gold list was not empty, so it still counts as answerable
        assertThat(v2.hasAns()).hasValue(new SquadMetrics.Subset(1, 100.0, 100.0));
        assertThat(v2.noAns()).isEmpty();
    }

    @Test
    void v20SplitsAnswerableAndUnanswerable() {
        List<List<String>> gold = List.of(List.of("Broncos"), List.of(), List.of(), List.of("Santa Clara"));
        var pred = List.of("broncos.", "", "Denver", "Clara");
        SquadMetrics m = Squad.evaluate(gold, pred, Squad.Version.V2_0);
        // EM 1, 1, 0, 0; F1 1, 1, 0, 2/3
        assertThat(m.exactMatch()).isCloseTo(50.0, within(EPS));
        assertThat(m.f1()).isCloseTo(100 * (2 + 2.0 / 3) / 4, within(EPS));
        assertThat(m.hasAns()).get().satisfies(s -> {
            assertThat(s.total()).isEqualTo(2);
            assertThat(s.exact()).isCloseTo(50.0, within(EPS));
            assertThat(s.f1()).isCloseTo(100 * (1 + 2.0 / 3) / 2, within(EPS));
        });
        assertThat(m.noAns()).hasValue(new SquadMetrics.Subset(2, 50.0, 50.0));
    }

    @Test
    void v20AcceptsAPredictionThatNormalizesToNothingForUnanswerable() {
        SquadMetrics m = Squad.evaluate(List.of(List.of()), List.of(" The. "), Squad.Version.V2_0);
        assertThat(m.exactMatch()).isEqualTo(100.0);
        assertThat(m.f1()).isEqualTo(100.0);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Squad.evaluate(List.of(List.of()), List.of(""), Squad.Version.V1_1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("question 0 has no gold answer");
        assertThatThrownBy(() -> Squad.evaluate(List.of(List.of("a")), List.of("a", "b"), Squad.Version.V2_0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 questions but 2 predictions");
        assertThatThrownBy(() -> Squad.evaluate(List.of(), List.of(), Squad.Version.V2_0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no questions");
        assertThatThrownBy(() -> Squad.evaluate(List.of(List.of("a")), java.util.Arrays.asList((String) null),
                        Squad.Version.V2_0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("question 0: prediction is null");
    }
}
