package dev.distil4j.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassificationTest {
    private static final double EPS = 1e-12;

    @Test
    void binaryScoresMatchTheConfusionMatrixByHand() {
        // tp = 3 (0, 3, 5), fp = 1 (2), fn = 1 (4), tn = 1 (1)
        int[] pred = {1, 0, 1, 1, 0, 1};
        int[] gold = {1, 0, 0, 1, 1, 1};
        ClassificationMetrics m = Classification.evaluate(pred, gold, 2);
        assertThat(m.examples()).isEqualTo(6);
        assertThat(m.accuracy()).isCloseTo(4.0 / 6, within(EPS));
        assertThat(m.f1()).isCloseTo(2.0 * 3 / (2 * 3 + 1 + 1), within(EPS)); // 0.75
        // (tp*tn - fp*fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = 2 / 8
        assertThat(m.mcc()).isCloseTo(0.25, within(EPS));
    }

    @Test
    void binaryF1IsOfLabelOneNotLabelZero() {
        // F1 of class 0 would be 2*2/(3+2) = 0.8; of class 1 it is 2*0/(0+1) = 0
        int[] pred = {0, 0, 0};
        int[] gold = {1, 0, 0};
        assertThat(Classification.binaryF1(pred, gold)).isZero();
    }

    @Test
    void binaryF1IsZeroWithoutAnyPositiveAndMccIsZeroWhenUndefined() {
        int[] zeros = {0, 0, 0, 0};
        ClassificationMetrics m = Classification.evaluate(zeros, zeros, 2);
        assertThat(m.accuracy()).isEqualTo(1.0);
        assertThat(m.f1()).isZero();
        assertThat(m.mcc()).isZero();
        // only the labels constant: still undefined
        assertThat(Classification.matthews(new int[] {0, 1, 0, 1}, new int[] {1, 1, 1, 1})).isZero();
    }

    @Test
    void mccIsMinusOneForInvertedPredictions() {
        assertThat(Classification.matthews(new int[] {1, 0, 1, 0}, new int[] {0, 1, 0, 1}))
                .isCloseTo(-1.0, within(EPS));
    }

    @Test
    void macroF1IsTheMeanOverClassesAsScikitLearnsExample() {
        // the f1_score docstring example: per-class F1 0.8, 0, 0
        int[] gold = {0, 1, 2, 0, 1, 2};
        int[] pred = {0, 2, 1, 0, 0, 1};
        assertThat(Classification.macroF1(pred, gold)).isCloseTo(0.8 / 3, within(EPS));
        assertThat(Classification.accuracy(pred, gold)).isCloseTo(2.0 / 6, within(EPS));
    }

    @Test
    void multiclassScoresByHand() {
        int[] gold = {0, 0, 1, 1, 2, 2};
        int[] pred = {0, 1, 1, 1, 2, 0};
        ClassificationMetrics m = Classification.evaluate(pred, gold, 3);
        // per class 2tp/(pred+true): 2/4, 4/5, 2/3
        assertThat(m.f1()).isCloseTo((0.5 + 0.8 + 2.0 / 3) / 3, within(EPS));
        // n = 6, correct = 4, true counts (2,2,2), predicted counts (2,3,1):
        // (4*6 - (4+6+2)) / sqrt((36 - 12) * (36 - (4+9+1)))
        assertThat(m.mcc()).isCloseTo(12 / Math.sqrt(24.0 * 22), within(EPS));
        assertThat(m.numLabels()).isEqualTo(3);
    }

    @Test
    void macroF1AveragesOnlyClassesThatOccurButCountsPredictedOnlyClasses() {
        int[] gold = {0, 0, 1};
        int[] pred = {0, 0, 2};
        // class 0: F1 1; class 1 (never predicted): 0; class 2 (never true): 0; classes 3, 4 absent: ignored
        assertThat(Classification.evaluate(pred, gold, 5).f1()).isCloseTo(1.0 / 3, within(EPS));
    }

    @Test
    void rejectsBadInputWithClearMessages() {
        assertThatThrownBy(() -> Classification.binaryF1(new int[] {0, 2}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("predictions[1] = 2")
                .hasMessageContaining("macroF1");
        assertThatThrownBy(() -> Classification.evaluate(new int[] {0, 1}, new int[] {0, 3}, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("labels[1] = 3 is not in [0, 3)");
        assertThatThrownBy(() -> Classification.accuracy(new int[] {0}, new int[] {0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 predictions but 2 labels");
        assertThatThrownBy(() -> Classification.accuracy(new int[0], new int[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no examples");
        assertThatThrownBy(() -> Classification.macroF1(new int[] {-100}, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("predictions[0] = -100");
        assertThatThrownBy(() -> Classification.evaluate(new int[] {0}, new int[] {0}, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numLabels");
    }
}
