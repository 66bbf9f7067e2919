package dev.distil4j.train.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void textClassificationKeysInOrderEndingWithTheCount() {
        Map<String, Double> m = Metrics.textClassification(new int[] {1, 0, 1, 1}, new int[] {1, 0, 0, 1}, 2);
        assertThat(m.keySet()).containsExactly("accuracy", "f1", "mcc", "examples");
        assertThat(m.get("accuracy")).isEqualTo(0.75);
        assertThat(m.get("f1")).isCloseTo(0.8, within(1e-12)); // 2*2 / (3 + 2)
        assertThat(m.get("examples")).isEqualTo(4.0);
        assertThatThrownBy(() -> m.put("x", 1.0)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void otherTasksKeys() {
        assertThat(Metrics.regression(new double[] {1, 2, 3}, new double[] {1, 2, 4}).keySet())
                .containsExactly("pearson", "spearmanr", "mse", "examples");
        assertThat(Metrics.regression(new float[] {1, 2}, new float[] {2, 1}).get("spearmanr")).isEqualTo(-1.0);
        assertThat(Metrics.tokenClassification(List.of(List.of("B-PER")), List.of(List.of("B-PER"))).keySet())
                .containsExactly("precision", "recall", "f1", "accuracy", "examples");
        assertThat(Metrics.questionAnswering(List.of(List.of("x")), List.of("x"), Squad.Version.V1_1).keySet())
                .containsExactly("exact_match", "f1", "examples");
        assertThat(Metrics.questionAnswering(List.of(List.of("x"), List.of()), List.of("x", "y"),
                        Squad.Version.V2_0).keySet())
                .containsExactly("exact", "f1", "HasAns_exact", "HasAns_f1", "HasAns_total", "NoAns_exact", "NoAns_f1",
                        "NoAns_total", "examples");
    }

    @Test
    void jsonKeepsOrderWritesCountsAsIntegersAndNaNAsNull() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", 0.9128);
        m.put("f1", 0.9137);
        m.put("pearson", Double.NaN);
        m.put("HasAns_total", 12.0);
        m.put("examples", 872.0);
        assertThat(Metrics.toJson(m))
                .isEqualTo("{\"accuracy\":0.9128,\"f1\":0.9137,\"pearson\":null,\"HasAns_total\":12,\"examples\":872}");
    }

    @Test
    void jsonOfATaskMapRoundTrips() throws Exception {
        String json = Metrics.toJson(Metrics.textClassification(new int[] {0, 1}, new int[] {0, 1}, 2));
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertThat(tree.get("accuracy").asDouble()).isEqualTo(1.0);
        assertThat(tree.get("examples").isIntegralNumber()).isTrue();
        assertThat(tree.get("examples").asInt()).isEqualTo(2);
    }
}
