package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.Shared;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every stored array of every case of every tiny model in ../shared/fixtures/goldens, with the
 * scalar and the Vector API kernels: within 1e-4 absolute (+1e-5 relative, logits reach |11|).
 */
class ModelGoldenTest {
    static final List<String> MODELS = List.of("distilbert-mlm", "distilbert-seqcls", "distilbert-tokcls",
            "distilbert-qa", "roberta-mlm", "roberta-seqcls");
    static final double ABS = 1e-4, REL = 1e-5;

    static Compute scalar, vector;

    @BeforeAll
    static void kernels() {
        scalar = new Compute(Kernels.scalar(), 2);
        vector = new Compute(Kernels.best(), 2);
    }

    @AfterAll
    static void close() {
        scalar.close();
        vector.close();
    }

    @Test
    void vectorKernelsAreActiveInTests() {
        assertTrue(Kernels.best().name().startsWith("vector"), "tests run with --add-modules jdk.incubator.vector, got " + Kernels.best().name());
    }

    @TestFactory
    List<DynamicNode> tinyModels() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String name : MODELS) {
            Path dir = Shared.path("fixtures/models/" + name);
            List<Goldens.Case> cases = Goldens.cases(Shared.path("fixtures/goldens/" + name));
            nodes.add(DynamicContainer.dynamicContainer(name, List.of(
                    DynamicTest.dynamicTest("scalar", () -> checkAll(dir, cases, scalar, ABS)),
                    DynamicTest.dynamicTest("vector", () -> checkAll(dir, cases, vector, ABS)))));
        }
        return nodes;
    }

    @TestFactory
    List<DynamicTest> hfWrittenTinyDistilBert() {
        Path dir = Shared.path("fixtures/hf-tiny-distilbert");
        List<Goldens.Case> cases = Goldens.cases(dir.resolve("goldens"));
        return List.of(
                DynamicTest.dynamicTest("scalar", () -> checkAll(dir, cases, scalar, ABS)),
                DynamicTest.dynamicTest("vector", () -> checkAll(dir, cases, vector, ABS)));
    }

    /** Real pretrained weights: all-MiniLM-L6-v2 (a BertModel without pooler), every case within 5e-4. */
    @Test
    void allMiniLmL6V2RealWeights() {
        Path dir = Shared.path("real/all-MiniLM-L6-v2");
        List<Goldens.Case> cases = Goldens.cases(dir.resolve("goldens"));
        assertEquals(24, cases.size());
        checkAll(dir, cases, vector, 5e-4);
    }

    static void checkAll(Path dir, List<Goldens.Case> cases, Compute compute, double abs) {
        try (Model model = Model.load(dir, Model.Options.defaults().withCompute(compute))) {
            for (Goldens.Case c : cases) check(model, c, abs);
        }
    }

    static void check(Model model, Goldens.Case c, double abs) {
        List<String> keys = c.outputs();
        ModelOutput out = model.forward(c.input(), keys.contains("hidden_states"), keys.contains("attentions"));
        int checked = 0;
        StringBuilder report = new StringBuilder(model.config().modelType() + " " + c.name() + ":");
        for (String key : keys) {
            float[] actual = switch (key) {
                case "last_hidden_state" -> out.lastHiddenState().data();
                case "hidden_states" -> concat(out.hiddenStates());
                case "attentions" -> concat(out.attentions());
                case "logits" -> out.logits().data();
                case "start_logits" -> out.startLogits().data();
                case "end_logits" -> out.endLogits().data();
                default -> null; // model-level extras checked elsewhere (sentence_embedding, pooler_output)
            };
            if (actual == null) continue;
            Goldens.Array expected = c.output(key);
            Goldens.assertClose(model.config().modelType() + " " + c.name() + " " + key, expected.data(), actual, abs, REL);
            report.append(String.format(" %s %.1e", key, Goldens.maxAbsDiff(expected.data(), actual)));
            checked++;
        }
        System.out.println(report);
        assertTrue(checked > 0, c.name() + ": nothing compared");
        assertNotNull(out.lastHiddenState());
    }

    static float[] concat(List<Tensor> ts) {
        int n = 0;
        for (Tensor t : ts) n += t.data().length;
        float[] all = new float[n];
        int o = 0;
        for (Tensor t : ts) {
            System.arraycopy(t.data(), 0, all, o, t.data().length);
            o += t.data().length;
        }
        return all;
    }
}
