package dev.distil4j.train.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelInput;
import dev.distil4j.train.Shared;
import dev.distil4j.train.distill.TripleLoss;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.Weights;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distillation cases of ../shared/fixtures/training: teacher bert-mlm-teacher, student
 * distilbert-mlm, one masked batch, T 2, alphas 5/2/1, KL over attended or over masked positions:
 * each loss term within 1e-5 relative, every student gradient within its tolerance.
 */
class DistillationGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"distill-ce-on-attended", "distill-ce-on-masked"})
    void tripleLossAndStudentGradients(String name) throws IOException {
        TrainingGoldenTest.setUp();
        JsonNode c = TrainingGoldenTest.caseNamed(name);
        JsonNode batch = c.get("batches").get(0);
        ModelInput in = new ModelInput(TrainingGoldenTest.ints(batch.get("input_ids")),
                TrainingGoldenTest.ints(batch.get("attention_mask")), null);
        int[] labels = TrainingGoldenTest.flat(batch.get("labels"));
        var options = TrainableModel.Options.defaults().withHead(HeadType.MASKED_LM).withDropouts(Dropouts.NONE);
        try (Compute compute = new Compute(Kernels.best(), 2);
             TrainableModel teacher = TrainableModel.load(Shared.path(c.get("teacher").asText()), options.withCompute(compute));
             TrainableModel student = TrainableModel.load(Shared.path(c.get("student").asText()), options.withCompute(compute));
             Weights grads = Checkpoints.openFile(Shared.path("fixtures/training/cases/" + name + "/student_grads.safetensors"))) {
            var t = teacher.forward(in, TrainableModel.Mode.eval());
            var s = student.forward(in, TrainableModel.Mode.deterministicTrain());
            var loss = new TripleLoss(c.get("temperature").asDouble(), c.get("alpha_ce").asDouble(), c.get("alpha_mlm").asDouble(),
                    0, c.get("alpha_cos").asDouble(), c.get("restrict_ce_to_mask").asBoolean());
            int vocab = s.logitsShape()[2], dim = student.config().hiddenSize();
            var r = loss.compute(s.logits(), t.logits(), s.lastHiddenState(), t.lastHiddenState(), in.attentionMask(), labels, vocab, dim);
            JsonNode f64 = c.get("float64");
            assertThat((double) r.lossCe()).isCloseTo(f64.get("loss_ce").asDouble(), Percentage.withPercentage(1e-3));
            assertThat((double) r.lossMlm()).isCloseTo(f64.get("loss_mlm").asDouble(), Percentage.withPercentage(1e-3));
            assertThat((double) r.lossCos()).isCloseTo(f64.get("loss_cos").asDouble(), Percentage.withPercentage(1e-3));
            assertThat((double) r.loss()).isCloseTo(c.get("loss").asDouble(), Percentage.withPercentage(1e-3));
            student.backward(r.dLogits(), r.dHidden());
            TrainingGoldenTest.checkGradients(student, grads, c.get("grad_tolerances"));
        } finally {
            TrainingGoldenTest.tearDown();
        }
    }
}
