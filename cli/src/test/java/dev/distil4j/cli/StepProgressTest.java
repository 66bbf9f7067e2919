package dev.distil4j.cli;

import dev.distil4j.train.trainer.TrainingListener.Pass;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The bar and log line of a pass over data between steps (the teacher's logits, an evaluation). */
class StepProgressTest {
    @Test
    void theTeachersPassIsDrawnAndEndsWithALogLine() {
        StringWriter s = new StringWriter();
        StepProgress p = new StepProgress(new PrintWriter(s), "distil", false, true);
        p.pass(new Pass("teacher", 8, 24));
        p.pass(new Pass("teacher", 24, 24));
        String err = s.toString();
        assertThat(err).contains("\rteacher 8/24 sequences").contains("\rteacher 24/24 sequences")
                .contains("distil4j distil: the teacher's logits of 24 sequences in 0:00\n");
    }

    @Test
    void anEvaluationsBarIsErasedForTheRowThatFollows() {
        StringWriter s = new StringWriter();
        StepProgress p = new StepProgress(new PrintWriter(s), "train", false, true);
        p.pass(new Pass("evaluation", 8, 16));
        p.pass(new Pass("evaluation", 16, 16));
        String err = s.toString();
        assertThat(err).contains("\revaluation 16/16 sequences").endsWith("\r" + " ".repeat(80) + "\r").doesNotContain("\n");
    }

    @Test
    void quietShowsNothing() {
        StringWriter s = new StringWriter();
        StepProgress p = new StepProgress(new PrintWriter(s), "distil", true, null);
        p.pass(new Pass("teacher", 24, 24));
        assertThat(s.toString()).isEmpty();
    }
}
