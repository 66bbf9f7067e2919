package dev.distil4j.train.loss;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Patient distillation's loss: closed forms, and its gradient against central differences. */
class NormalizedMseTest {
    @Test
    void isTheMeanSquaredDifferenceOfTheUnitRows() {
        // rows 0: same direction, different lengths (0); row 1: orthogonal (|u - v|^2 = 2); row 2: opposite (4)
        float[] s = {3, 0, 0, 0, 2, 0, 0, 0, -1};
        float[] t = {5, 0, 0, 7, 0, 0, 0, 0, 4};
        Loss l = Losses.normalizedMse(s, t, 3, 3);
        assertThat((double) l.value()).isCloseTo((0 + 2 + 4) / 9.0, within(1e-7));
        // row 0 is at its minimum; row 2 opposite the target is a stationary point too (the gradient is tangent)
        for (int c = 0; c < 3; c++) {
            assertThat(l.grad()[c]).isZero();
            assertThat(l.grad()[6 + c]).isCloseTo(0f, within(1e-9f));
        }
        // row 1: s = (0, 2, 0), t along x: the gradient pulls s towards +x, (2 / 9) * (-(-1)) / |s| ... = -2 / 18 on x
        assertThat(l.grad()[3]).isCloseTo((float) (2.0 / 9 * -1 / 2), within(1e-7f));
        assertThat(l.grad()[4]).isCloseTo(0f, within(1e-7f));
    }

    @Test
    void ignoresEachRowsScale() {
        Random r = new Random(3);
        float[] s = new float[4 * 16], t = new float[s.length], s2 = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) r.nextGaussian();
            t[i] = (float) r.nextGaussian();
            s2[i] = s[i] * (1 + i / 16);   // each row scaled by 1, 2, 3, 4
        }
        assertThat(Losses.normalizedMse(s2, t, 4, 16).value()).isCloseTo(Losses.normalizedMse(s, t, 4, 16).value(), within(1e-6f));
    }

    @Test
    void gradientMatchesCentralDifferences() {
        Random r = new Random(7);
        int rows = 5, dim = 12;
        float[] s = new float[rows * dim], t = new float[rows * dim];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) r.nextGaussian();
            t[i] = (float) r.nextGaussian();
        }
        float[] g = Losses.normalizedMse(s, t, rows, dim).grad();
        for (int i = 0; i < s.length; i++) {
            float saved = s[i], e = 1e-2f;
            s[i] = saved + e;
            double up = Losses.normalizedMse(s, t, rows, dim).value();
            s[i] = saved - e;
            double down = Losses.normalizedMse(s, t, rows, dim).value();
            s[i] = saved;
            double numeric = (up - down) / (2 * e);
            assertThat((double) g[i]).as("element %d", i).isCloseTo(numeric, within(2e-5 + 1e-2 * Math.abs(numeric)));
        }
    }

    @Test
    void refusesMismatchedSizes() {
        assertThatThrownBy(() -> Losses.normalizedMse(new float[6], new float[4], 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 and 4 values for 2 rows of 3");
    }
}
