package dev.distil4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenCountsTest {

    @Test
    void countsEveryIdOverTheWholeCorpus() {
        TokenSequences s = TokenSequences.of(List.of(new int[] {3, 7, 7, 4}, new int[] {3, 7, 9, 9, 9, 4}, new int[0]));
        TokenCounts c = TokenCounts.count(s, 12);
        assertThat(c.counts()).containsExactly(0, 0, 0, 2, 2, 0, 0, 3, 0, 3, 0, 0);
        assertThat(c.total()).isEqualTo(10);
        assertThat(c.vocabSize()).isEqualTo(12);
        assertThatThrownBy(() -> TokenCounts.count(s, 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token id 9");
    }

    @Test
    void maskingWeightsAreSmoothedCountsWithSpecialsAtZero() {
        TokenCounts c = TokenCounts.of(new long[] {5, 0, 1, 8, 1000});
        double[] w = c.maskingWeights(0.7, new int[] {0});
        assertThat(w[0]).isZero();
        assertThat(w[1]).isEqualTo(1.0); // max(0, 1)^-0.7
        assertThat(w[2]).isEqualTo(1.0);
        assertThat(w[3]).isCloseTo(Math.pow(8, -0.7), within(1e-15));
        assertThat(w[4]).isCloseTo(0.007943282347242814, within(1e-15)); // 1000^-0.7
        assertThat(c.maskingWeights(0, new int[0])).containsOnly(1.0);
    }
}
