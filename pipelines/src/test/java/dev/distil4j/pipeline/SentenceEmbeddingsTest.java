package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.model.ConfigException;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** sentence-transformers behaviour: all-MiniLM-L6-v2 configured from its own files, pooling modes, Dense, Normalize. */
class SentenceEmbeddingsTest {
    static final String MINILM = "real/all-MiniLM-L6-v2";
    static Embeddings minilm;

    @BeforeAll
    static void load() {
        minilm = Embeddings.load(Shared.path(MINILM));
    }

    @AfterAll
    static void close() {
        minilm.close();
    }

    /** Every golden case of a single text (pairs are not a sentence-transformers input). */
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : Shared.json(MINILM + "/goldens/cases.json").get("cases")) {
            if (c.get("text_pairs") != null && !c.get("text_pairs").isNull()) continue;
            out.add(Arguments.of(c.get("name").asText(), c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesSentenceEmbedding(String name, JsonNode c) {
        List<String> texts = new ArrayList<>();
        c.get("texts").forEach(t -> texts.add(t.asText()));
        Embeddings e = minilm;
        JsonNode kw = c.get("tokenizer_kwargs");
        if (kw.has("truncation") && kw.has("max_length")) e = minilm.withOptions(minilm.options().withMaxLength(kw.get("max_length").asInt()));
        List<float[]> got = e.sentences(texts);
        float[] expected = Shared.npy(MINILM + "/goldens", c.get("outputs").get("sentence_embedding"));
        assertThat(got).hasSize(texts.size());
        for (int b = 0; b < texts.size(); b++) {
            float[] want = Arrays.copyOfRange(expected, b * 384, (b + 1) * 384);
            float worst = 0;
            for (int d = 0; d < 384; d++) worst = Math.max(worst, Math.abs(want[d] - got.get(b)[d]));
            assertThat((double) worst).as("%s, text %d: max |diff|", name, b).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void configuredFromItsFiles() {
        SentenceTransformerConfig c = minilm.sentenceConfig();
        assertThat(c.pooling()).containsExactly(SentenceTransformerConfig.Pooling.MEAN);
        assertThat(c.normalizes()).isTrue();
        assertThat(c.maxSeqLength()).isEqualTo(256);
        assertThat(c.doLowerCase()).isFalse();
        assertThat(minilm.maxLength()).isEqualTo(256);
        assertThat(minilm.sentenceDimension()).isEqualTo(384);
        float[] v = minilm.sentence("A man is eating food.");
        double norm = 0;
        for (float x : v) norm += x * x;
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    /** Pooling modes on the tiny model, by hand from the token vectors. */
    @Test
    void poolingModes() {
        try (PipelineModel pm = PipelineModel.load(Shared.path("fixtures/models/distilbert-mlm"), Model.Options.defaults().withHead(HeadType.NONE))) {
            Embeddings base = new Embeddings(pm, null, Embeddings.Options.defaults());
            String text = "The quick brown fox.";
            List<Embeddings.TokenEmbedding> ts = base.tokens(text);
            int n = ts.size();
            float[] cls = ts.get(0).vector(), max = new float[32], mean = new float[32], sqrt = new float[32];
            Arrays.fill(max, Float.NEGATIVE_INFINITY);
            for (Embeddings.TokenEmbedding t : ts) {
                for (int d = 0; d < 32; d++) {
                    max[d] = Math.max(max[d], t.vector()[d]);
                    mean[d] += t.vector()[d] / n;
                    sqrt[d] += t.vector()[d] / (float) Math.sqrt(n);
                }
            }
            SentenceTransformerConfig all = SentenceTransformerConfig.defaults(pm.dir()).with(List.of(
                    SentenceTransformerConfig.Pooling.CLS, SentenceTransformerConfig.Pooling.MAX,
                    SentenceTransformerConfig.Pooling.MEAN, SentenceTransformerConfig.Pooling.MEAN_SQRT_LEN), false);
            float[] v = base.withSentenceConfig(all).sentence(text);
            assertThat(v).hasSize(128);
            EmbeddingsTest.assertClose(cls, Arrays.copyOfRange(v, 0, 32), 1e-6, "cls");
            EmbeddingsTest.assertClose(max, Arrays.copyOfRange(v, 32, 64), 1e-6, "max");
            EmbeddingsTest.assertClose(mean, Arrays.copyOfRange(v, 64, 96), 1e-5, "mean");
            EmbeddingsTest.assertClose(sqrt, Arrays.copyOfRange(v, 96, 128), 1e-5, "mean_sqrt_len");
            float[] normalized = base.withSentenceConfig(SentenceTransformerConfig.defaults(pm.dir()).with(
                    List.of(SentenceTransformerConfig.Pooling.MEAN), true)).sentence(text);
            double norm = 0;
            for (float x : mean) norm += x * x;
            for (int d = 0; d < 32; d++) assertThat((double) normalized[d]).isCloseTo(mean[d] / Math.sqrt(norm), org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    /** A sentence-transformers directory with a Dense (tanh) and a Normalize module, weights in safetensors. */
    @Test
    void denseAndNormalizeModules(@TempDir Path dir) throws IOException {
        Path model = Shared.path("fixtures/models/distilbert-mlm");
        Files.createDirectories(dir.resolve("0_Transformer"));
        try (var files = Files.list(model)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve("0_Transformer").resolve(f.getFileName()));
        }
        Files.writeString(dir.resolve("0_Transformer/sentence_bert_config.json"), "{\"max_seq_length\": 16, \"do_lower_case\": true}");
        Files.writeString(dir.resolve("modules.json"), """
                [{"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"},
                 {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                 {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
                 {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"}]""");
        Files.createDirectories(dir.resolve("1_Pooling"));
        Files.writeString(dir.resolve("1_Pooling/config.json"), """
                {"word_embedding_dimension": 32, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false,
                 "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false}""");
        Files.createDirectories(dir.resolve("2_Dense"));
        Files.writeString(dir.resolve("2_Dense/config.json"),
                "{\"in_features\": 32, \"out_features\": 3, \"bias\": true, \"activation_function\": \"torch.nn.modules.activation.Tanh\"}");
        float[] w = new float[3 * 32], b = {0.1f, -0.2f, 0.3f};
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i) / 4;
        writeSafetensors(dir.resolve("2_Dense/model.safetensors"), w, b);

        try (Embeddings e = Embeddings.load(dir)) {
            assertThat(e.maxLength()).isEqualTo(16);
            assertThat(e.sentenceConfig().doLowerCase()).isTrue();
            assertThat(e.sentenceDimension()).isEqualTo(3);
            float[] cls = e.tokens("the quick brown fox").get(0).vector();
            float[] y = new float[3];
            double norm = 0;
            for (int o = 0; o < 3; o++) {
                double s = b[o];
                for (int i = 0; i < 32; i++) s += w[o * 32 + i] * cls[i];
                y[o] = (float) Math.tanh(s);
                norm += y[o] * y[o];
            }
            for (int o = 0; o < 3; o++) y[o] /= (float) Math.sqrt(norm);
            // do_lower_case and strip: the same vector as the lower-case text's CLS
            EmbeddingsTest.assertClose(y, e.sentence("  The QUICK brown fox \n"), 1e-5, "dense + normalize");
        }
        Files.writeString(dir.resolve("modules.json"), "[{\"path\": \"0_Transformer\", \"type\": \"sentence_transformers.models.Transformer\"},"
                + "{\"path\": \"x\", \"type\": \"sentence_transformers.models.CNN\"}]");
        assertThatThrownBy(() -> SentenceTransformerConfig.read(dir)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("module type \"sentence_transformers.models.CNN\" is not supported");
    }

    static void writeSafetensors(Path file, float[] weight, float[] bias) throws IOException {
        String header = "{\"linear.weight\":{\"dtype\":\"F32\",\"shape\":[3,32],\"data_offsets\":[0," + 4 * weight.length + "]},"
                + "\"linear.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[" + 4 * weight.length + "," + 4 * (weight.length + bias.length) + "]}}";
        while ((header.length() + 8) % 8 != 0) header += " ";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 4 * (weight.length + bias.length)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        for (float x : weight) buf.putFloat(x);
        for (float x : bias) buf.putFloat(x);
        Files.write(file, buf.array());
    }
}
