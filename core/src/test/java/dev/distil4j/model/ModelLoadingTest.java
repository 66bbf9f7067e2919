package dev.distil4j.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.testutil.Goldens;
import dev.distil4j.testutil.Shared;
import dev.distil4j.testutil.StFiles;
import dev.distil4j.testutil.StFiles.T;
import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Checkpoint variants transformers accepts: shards, prefixes, tied decoders; and clear errors for broken ones. */
class ModelLoadingTest {
    static final Path MLM = Shared.path("fixtures/models/distilbert-mlm");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The tiny MLM's tensors, rewritten through {@code edit} (return null to drop one). */
    Map<String, T> tensors(BiFunction<String, T, T> edit) {
        Map<String, T> out = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(MLM.resolve("model.safetensors"))) {
            for (String name : st.names()) {
                T t = T.f32(st.info(name).orElseThrow().shape(), st.floats(name).toArray());
                T e = edit.apply(name, t);
                if (e != null) out.put(name, e);
            }
        }
        return out;
    }

    Path modelDir(String name, Map<String, T> tensors, ObjectNode config) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("config.json"), config.toString());
        StFiles.write(dir.resolve("model.safetensors"), tensors);
        return dir;
    }

    ObjectNode config() throws IOException {
        return (ObjectNode) JSON.readTree(MLM.resolve("config.json").toFile());
    }

    static ModelOutput run(Path dir, ModelInput in) {
        try (Model m = Model.load(dir)) {
            return m.forward(in);
        }
    }

    static final ModelInput INPUT = new ModelInput(new int[][] {{3, 40, 41, 42, 5, 4}, {3, 50, 4, 0, 0, 0}},
            new int[][] {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0}}, null);

    @Test
    void shardedCheckpointGivesIdenticalOutputs() throws IOException {
        Map<String, T> all = tensors((n, t) -> t);
        Path dir = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(MLM.resolve("config.json"), dir.resolve("config.json"));
        Map<String, T> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", 0);
        ObjectNode map = index.putObject("weight_map");
        int i = 0;
        for (var e : all.entrySet()) {
            boolean one = i++ % 2 == 0;
            (one ? first : second).put(e.getKey(), e.getValue());
            map.put(e.getKey(), one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        StFiles.write(dir.resolve("model-00001-of-00002.safetensors"), first);
        StFiles.write(dir.resolve("model-00002-of-00002.safetensors"), second);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        ModelOutput a = run(MLM, INPUT), b = run(dir, INPUT);
        assertArrayEquals(a.lastHiddenState().data(), b.lastHiddenState().data());
        assertArrayEquals(a.logits().data(), b.logits().data());
    }

    @Test
    void bareModelWithoutPrefixMatchesTheGolden() throws IOException {
        Map<String, T> bare = new LinkedHashMap<>();
        tensors((n, t) -> t).forEach((n, t) -> {
            if (n.startsWith("distilbert.")) bare.put(n.substring("distilbert.".length()), t);
        });
        ObjectNode cfg = config();
        cfg.putArray("architectures").add("DistilBertModel");
        Path dir = modelDir("bare", bare, cfg);
        Goldens.Case single = Goldens.cases(Shared.path("fixtures/goldens/distilbert-mlm")).get(1);
        try (Model m = Model.load(dir)) {
            assertEquals(HeadType.NONE, m.headType());
            ModelOutput out = m.forward(single.input());
            assertNull(out.logits());
            Goldens.assertClose("bare", single.output("last_hidden_state").data(), out.lastHiddenState().data(), 1e-4, 1e-5);
        }
    }

    @Test
    void storedDecoderWeightIsIgnoredWhileTied() throws IOException {
        float[] noise = new float[266 * 32];
        for (int i = 0; i < noise.length; i++) noise[i] = (float) Math.sin(i);
        Map<String, T> with = tensors((n, t) -> t);
        with.put("vocab_projector.weight", T.f32(new long[] {266, 32}, noise));
        Path tied = modelDir("tied", with, config());
        assertArrayEquals(run(MLM, INPUT).logits().data(), run(tied, INPUT).logits().data(),
                "transformers re-ties the decoder to the word embeddings");
        ObjectNode untiedCfg = config();
        untiedCfg.put("tie_word_embeddings", false);
        Path untied = modelDir("untied", with, untiedCfg);
        assertFalse(Arrays.equals(run(MLM, INPUT).logits().data(), run(untied, INPUT).logits().data()));
    }

    @Test
    void headCanBeLeftOff() {
        try (Model m = Model.load(MLM, Model.Options.defaults().withHead(HeadType.NONE))) {
            assertNull(m.forward(INPUT).logits());
        }
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path dir = modelDir("missing", tensors((n, t) -> n.equals("distilbert.transformer.layer.1.ffn.lin2.bias") ? null : t), config());
        String msg = assertThrows(WeightsException.class, () -> Model.load(dir)).getMessage();
        assertThat(msg).contains("model.safetensors").contains("missing tensor 'transformer.layer.1.ffn.lin2.bias'")
                .contains("'distilbert.transformer.layer.1.ffn.lin2.bias'");
    }

    @Test
    void wrongShapeIsNamed() throws IOException {
        Path dir = modelDir("shape", tensors((n, t) -> n.equals("distilbert.transformer.layer.0.attention.q_lin.weight")
                ? new T("F32", new long[] {16, 64}, t.bytes()) : t), config());
        String msg = assertThrows(WeightsException.class, () -> Model.load(dir)).getMessage();
        assertThat(msg).contains("'distilbert.transformer.layer.0.attention.q_lin.weight' has shape [16, 64]")
                .contains("needs [32, 32]");
    }

    @Test
    void configMismatchWithWeightsIsNamed() throws IOException {
        ObjectNode cfg = config();
        cfg.put("vocab_size", 300);
        Path dir = modelDir("vocab", tensors((n, t) -> t), cfg);
        assertThat(assertThrows(WeightsException.class, () -> Model.load(dir)).getMessage())
                .contains("word_embeddings.weight' has shape [266, 32], the model config needs [300, 32]");
    }

    @Test
    void inputsAreValidated() {
        try (Model m = Model.load(MLM)) {
            assertThat(assertThrows(IllegalArgumentException.class, () -> m.forward(ModelInput.of(new int[] {3, 266}))).getMessage())
                    .contains("input_ids[0][1] = 266 is outside the vocabulary (0..265)");
            assertThat(assertThrows(IllegalArgumentException.class, () -> m.forward(ModelInput.of(new int[65]))).getMessage())
                    .contains("sequence length 65 exceeds the model's maximum of 64");
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> new ModelInput(new int[][] {{1, 2}, {1}}, null, null)).getMessage()).contains("input_ids[1] has length 1");
            assertThat(assertThrows(IllegalArgumentException.class,
                    () -> new ModelInput(new int[][] {{1, 2}}, new int[][] {{1, 2}}, null)).getMessage())
                    .contains("attention_mask[0][1] is 2");
            assertEquals(64, m.forward(ModelInput.of(new int[64])).lastHiddenState().dim(1));
        }
    }

    @Test
    void distilBertTokenTypesAreIgnoredButMustBeSegmentIds() {
        int[][] ids = {{3, 10, 11, 4, 12, 4}};
        try (Model m = Model.load(MLM)) {
            float[] none = m.forward(new ModelInput(ids, null, null)).lastHiddenState().data();
            // a pair's segments, as the tokenizer makes them: accepted and, as in DistilBERT, without effect
            float[] pair = m.forward(new ModelInput(ids, null, new int[][] {{0, 0, 0, 0, 1, 1}})).lastHiddenState().data();
            assertArrayEquals(none, pair);
            for (int bad : new int[] {2, -1, 7, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
                int[][] types = {{0, 0, 0, 0, 1, bad}};
                assertThat(assertThrows(IllegalArgumentException.class, () -> m.forward(new ModelInput(ids, null, types)))
                        .getMessage()).as("type id " + bad).startsWith("token_type_ids[0][5] = " + bad + " is outside 0..1")
                        .contains("DistilBERT has no token type embeddings");
            }
        }
    }

    @Test
    void configValuesThatWouldAllocateOrContradictAreConfigErrors() throws IOException {
        for (String n : new String[] {"2147483647", "65537", "-1"}) {
            assertThat(assertThrows(ConfigException.class, () -> ModelConfig.fromJson(
                    JSON.readTree("{\"model_type\": \"bert\", \"num_labels\": " + n + "}"), "c.json")).getMessage())
                    .isEqualTo("c.json: \"num_labels\" " + n + " is outside 0..65536");
        }
        assertEquals(65536, ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"bert\", \"num_labels\": 65536}"), "c.json")
                .numLabels());
        // the record's own checks come back as ConfigException naming the file, not IllegalArgumentException
        for (String body : new String[] {"\"hidden_size\": 0", "\"hidden_size\": 30, \"num_attention_heads\": 4",
                "\"vocab_size\": -5", "\"max_position_embeddings\": 0"}) {
            assertThat(assertThrows(ConfigException.class, () -> ModelConfig.fromJson(
                    JSON.readTree("{\"model_type\": \"bert\", " + body + "}"), "c.json")).getMessage()).as(body).startsWith("c.json: ");
        }
        // DistilBERT's sinusoid table is built from the config: sizes whose product passes 2^31 are refused, not wrapped
        ModelConfig huge = ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"distilbert\", \"dim\": 65536, \"n_heads\": 1,"
                + " \"max_position_embeddings\": 65536, \"sinusoidal_pos_embds\": true}"), "c.json");
        assertThat(assertThrows(ConfigException.class, () -> Embeddings.sinusoids(huge.maxPositionEmbeddings(), huge.hiddenSize()))
                .getMessage()).contains("max_position_embeddings 65536 x dim 65536 is too large");
    }

    @Test
    void robertaMaximumLengthAccountsForThePaddingOffset() {
        try (Model m = Model.load(Shared.path("fixtures/models/roberta-mlm"))) {
            assertEquals(64, m.forward(ModelInput.of(new int[64])).lastHiddenState().dim(1));
            assertThrows(IllegalArgumentException.class, () -> m.forward(ModelInput.of(new int[65])));
        }
    }

    @Test
    void attentionsAreProbabilitiesWithZeroOnPadding() {
        try (Model m = Model.load(MLM)) {
            ModelOutput out = m.forward(INPUT, true, true);
            assertEquals(3, out.hiddenStates().size());
            assertEquals(2, out.attentions().size());
            Tensor a = out.attentions().get(1);
            assertArrayEquals(new int[] {2, 4, 6, 6}, a.shape());
            for (int h = 0; h < 4; h++) {
                for (int i = 0; i < 6; i++) {
                    double sum = 0;
                    for (int j = 0; j < 6; j++) sum += a.get(1, h, i, j);
                    assertEquals(1.0, sum, 1e-5);
                    for (int j = 3; j < 6; j++) assertEquals(0f, a.get(1, h, i, j));
                }
            }
            assertArrayEquals(out.lastHiddenState().data(), out.hiddenStates().get(2).data());
        }
    }

    @Test
    void batchingDoesNotChangeResults() {
        try (Model m = Model.load(MLM)) {
            ModelOutput batch = m.forward(INPUT);
            ModelOutput alone = m.forward(ModelInput.of(new int[] {3, 50, 4}));
            for (int i = 0; i < 3; i++) {
                float[] b = Arrays.copyOfRange(batch.lastHiddenState().data(), (6 + i) * 32, (7 + i) * 32);
                float[] a = Arrays.copyOfRange(alone.lastHiddenState().data(), i * 32, (i + 1) * 32);
                Goldens.assertClose("row " + i, a, b, 1e-6, 1e-6);
            }
        }
    }

    @Test
    void sinusoidalPositions() {
        var t = Embeddings.sinusoids(4, 6);
        assertEquals(0f, t.get(0));
        assertEquals(1f, t.get(1));
        assertEquals((float) Math.sin(1), t.get(6));
        assertEquals((float) Math.cos(1), t.get(7));
        assertEquals((float) Math.sin(2 / Math.pow(10000, 2.0 / 6)), t.get(12 + 2));
        assertEquals((float) Math.cos(3 / Math.pow(10000, 4.0 / 6)), t.get(18 + 5));
    }

    @Test
    void sinusoidalModelWithoutStoredTableUsesTheFormula() throws IOException {
        ObjectNode cfg = config();
        cfg.put("sinusoidal_pos_embds", true);
        Path dir = modelDir("sin", tensors((n, t) -> n.equals("distilbert.embeddings.position_embeddings.weight") ? null : t), cfg);
        try (Model m = Model.load(dir)) {
            assertEquals(2, m.forward(INPUT).lastHiddenState().dim(0));
        }
        ObjectNode learned = config();
        Path missing = modelDir("nosin", tensors((n, t) -> n.equals("distilbert.embeddings.position_embeddings.weight") ? null : t), learned);
        assertThrows(WeightsException.class, () -> Model.load(missing));
    }

    @Test
    void configDefaultsAndErrors() throws IOException {
        ModelConfig bert = ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"bert\"}"), "c.json");
        assertEquals(List.of(768, 12, 12, 3072, 512, 2, 30522, 0),
                List.of(bert.hiddenSize(), bert.numLayers(), bert.numHeads(), bert.intermediateSize(),
                        bert.maxPositionEmbeddings(), bert.typeVocabSize(), bert.vocabSize(), bert.padTokenId()));
        assertEquals(1e-12f, bert.layerNormEps());
        assertEquals(List.of("LABEL_0", "LABEL_1"), bert.labels());
        ModelConfig xlmr = ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"xlm-roberta\", \"hidden_act\": \"gelu_new\","
                + " \"id2label\": {\"1\": \"b\", \"0\": \"a\", \"2\": \"c\"}}"), "c.json");
        assertEquals(Architecture.ROBERTA, xlmr.architecture());
        assertEquals(1, xlmr.padTokenId());
        assertEquals(dev.distil4j.kernels.Activation.GELU_TANH, xlmr.activation());
        assertEquals(List.of("a", "b", "c"), xlmr.labels());
        ModelConfig distil = ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"distilbert\", \"layer_norm_eps\": 0.1}"), "c.json");
        assertEquals(1e-12f, distil.layerNormEps(), "DistilBERT hard-codes its LayerNorm eps");
        assertEquals(6, distil.numLayers());

        assertThat(assertThrows(ConfigException.class, () -> ModelConfig.fromJson(JSON.readTree("{}"), "c.json")).getMessage())
                .contains("c.json").contains("missing \"model_type\"");
        assertThat(assertThrows(ConfigException.class,
                () -> ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"gpt2\"}"), "c.json")).getMessage())
                .contains("\"gpt2\" is not supported");
        assertThat(assertThrows(ConfigException.class,
                () -> ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"bert\", \"hidden_act\": \"mish\"}"), "c.json")).getMessage())
                .contains("hidden_act").contains("\"mish\"");
        assertThat(assertThrows(ConfigException.class,
                () -> ModelConfig.fromJson(JSON.readTree("{\"model_type\": \"bert\", \"hidden_size\": \"big\"}"), "c.json")).getMessage())
                .contains("\"hidden_size\" must be an integer");
        Path bad = Files.writeString(tmp.resolve("config.json"), "{\"model_type\": ");
        assertThat(assertThrows(ConfigException.class, () -> ModelConfig.read(bad)).getMessage()).contains("not valid JSON");
    }
}
