package dev.distil4j.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RegressionTest {
    private static final double EPS = 1e-12;
    private static final double[] X = {1, 2, 3, 4, 5};
    private static final double[] Y = {2, 4, 5, 4, 5};

    @Test
    void pearsonByHand() {
        // deviations (-2,-1,0,1,2) and (-2,0,1,0,1): sxy = 6, sxx = 10, syy = 6
        assertThat(Regression.pearson(X, Y)).isCloseTo(6 / Math.sqrt(60), within(EPS));
    }

    @Test
    void spearmanAveragesTiedRanks() {
        assertThat(Regression.ranks(Y)).containsExactly(1, 2.5, 4.5, 2.5, 4.5);
        assertThat(Regression.ranks(new double[] {10, 20, 20, 5})).containsExactly(2, 3.5, 3.5, 1);
        // ranks (1..5) and (1,2.5,4.5,2.5,4.5): sxy = 7, sxx = 10, syy = 9
        assertThat(Regression.spearman(X, Y)).isCloseTo(7 / Math.sqrt(90), within(EPS));
    }

    @Test
    void spearmanIsOneForAnyIncreasingRelationPearsonIsNot() {
        double[] x = {1, 2, 3, 4};
        double[] cubes = {1, 8, 27, 64};
        assertThat(Regression.spearman(x, cubes)).isCloseTo(1.0, within(EPS));
        assertThat(Regression.pearson(x, cubes)).isLessThan(0.99);
    }

    @Test
    void perfectNegativeCorrelationStaysWithinMinusOne() {
        double r = Regression.pearson(new double[] {1, 2, 3}, new double[] {3, 2, 1});
        assertThat(r).isCloseTo(-1.0, within(EPS)).isGreaterThanOrEqualTo(-1.0);
    }

    @Test
    void hugeValuesDoNotOverflow() {
        assertThat(Regression.pearson(new double[] {1e200, 2e200, 4e200}, new double[] {1, 2, 4}))
                .isCloseTo(1.0, within(EPS));
    }

    @Test
    void constantOrNaNInputGivesNaNAsScipy() {
        double[] constant = {3, 3, 3, 3, 3};
        assertThat(Regression.pearson(constant, Y)).isNaN();
        assertThat(Regression.spearman(X, constant)).isNaN();
        double[] withNaN = {1, 2, Double.NaN, 4, 5};
        assertThat(Regression.pearson(withNaN, Y)).isNaN();
        assertThat(Regression.spearman(withNaN, Y)).isNaN();
        double[] withInf = {1, 2, 3, 4, Double.POSITIVE_INFINITY};
        assertThat(Regression.pearson(withInf, X)).isNaN();
        assertThat(Regression.spearman(withInf, X)).isCloseTo(1.0, within(EPS)); // ranks are still defined
    }

    @Test
    void evaluateCombinesAllThreeAndFloatsMatchDoubles() {
        RegressionMetrics m = Regression.evaluate(new float[] {1, 2, 3}, new float[] {1, 3, 5});
        assertThat(m.examples()).isEqualTo(3);
        assertThat(m.mse()).isCloseTo(5.0 / 3, within(EPS)); // (0 + 1 + 4) / 3
        assertThat(m.pearson()).isCloseTo(1.0, within(EPS));
        assertThat(m.spearman()).isCloseTo(1.0, within(EPS));
        float[] xf = {1, 2, 3, 4, 5};
        float[] yf = {2, 4, 5, 4, 5};
        assertThat(Regression.pearson(xf, yf)).isEqualTo(Regression.pearson(X, Y));
        assertThat(Regression.spearman(xf, yf)).isEqualTo(Regression.spearman(X, Y));
        assertThat(Regression.mse(xf, yf)).isCloseTo((1 + 4 + 4 + 0 + 0) / 5.0, within(EPS));
    }

    @Test
    void rejectsMismatchedOrTooShortInput() {
        assertThatThrownBy(() -> Regression.pearson(new double[] {1, 2}, new double[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 predictions but 3 labels");
        assertThatThrownBy(() -> Regression.spearman(new double[] {1}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2");
        assertThatThrownBy(() -> Regression.mse(new double[0], new double[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
