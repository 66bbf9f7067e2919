package dev.distil4j.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 17: a top_k beyond the vocabulary is capped there (in the pipeline), not an out-of-memory stack trace. */
class FillMaskTopKTest {
    @Test
    void topKBeyondTheVocabularyGivesEveryTokenOnce() {
        String model = CliRun.shared("fixtures/models/distilbert-mlm").toString();
        for (String k : new String[] {"266", "267", "1000000000", "2147483647"}) {
            CliRun.Result r = CliRun.run("", "fill-mask", "--model", model, "--top-k", k, "The capital of France is [MASK].");
            assertThat(r.code()).as(k + ": " + r.err()).isZero();
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("Error");
            assertThat(r.lines().get(0)).as("top_k " + k).hasSize(266);
        }
    }
}
