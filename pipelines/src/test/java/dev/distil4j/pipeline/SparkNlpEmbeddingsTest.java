package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Spark NLP compatibility mode against the real Spark NLP 5.5.3 DistilBertEmbeddings (ONNX Runtime) on
 * the init-student of bert-base-uncased: all 320 texts of ../shared/fixtures/spark-nlp/distilbert-init-uncased,
 * every annotation's result, begin, end and metadata equal, every vector within 1e-4 of embeddings.npy.
 */
class SparkNlpEmbeddingsTest {
    static final String FIXTURE = "fixtures/spark-nlp/distilbert-init-uncased/";
    static PipelineModel model;

    @BeforeAll
    static void load() throws Exception {
        RealModelsFillMaskTest.convert();
        model = PipelineModel.load(RealModelsFillMaskTest.MODELS.resolve("distilbert-init-from-bert-base-uncased"),
                Model.Options.defaults().withHead(HeadType.NONE));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void all320TextsEqualSparkNlpsAnnotations() throws IOException {
        List<String> texts = Files.readAllLines(Shared.path(FIXTURE + "texts.txt"));
        assertThat(texts).hasSize(320);
        List<JsonNode> expected = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(Shared.path(FIXTURE + "annotations.jsonl"))) expected.add(json.readTree(line));
        float[][] vectors = npy(Shared.path(FIXTURE + "embeddings.npy"), 768);
        assertThat(vectors).hasNumberOfRows(5678);

        SparkNlpEmbeddings emb = new SparkNlpEmbeddings(model, 128, false, 8);
        List<SparkNlpEmbeddings.Document> docs = emb.documents(texts);
        int[] count = new int[texts.size()];
        for (JsonNode e : expected) count[e.get("id").asInt()]++;
        int k = 0, equalTexts = 0;
        double maxDiff = 0;
        for (int t = 0; t < texts.size(); t++) {
            List<SparkNlpEmbeddings.WordAnnotation> words = docs.get(t).words();
            assertThat(words).as("text %d (%s)", t, texts.get(t)).hasSize(count[t]);
            for (int i = 0; i < words.size(); i++, k++) {
                SparkNlpEmbeddings.WordAnnotation w = words.get(i);
                JsonNode e = expected.get(k);
                String where = "text " + t + " (" + texts.get(t) + ") annotation " + i;
                assertThat(e.get("id").asInt()).isEqualTo(t);
                assertThat(w.result()).as(where).isEqualTo(e.get("result").asText());
                assertThat(w.begin()).as(where).isEqualTo(e.get("begin").asInt());
                assertThat(w.end()).as(where).isEqualTo(e.get("end").asInt());
                assertThat(w.metadata()).as(where).isEqualTo(json.convertValue(e.get("metadata"), LinkedHashMap.class));
                float[] v = w.vector(), want = vectors[e.get("row_in_npy").asInt()];
                assertThat(v).hasSize(768);
                for (int d = 0; d < v.length; d++) maxDiff = Math.max(maxDiff, Math.abs(v[d] - want[d]));
            }
            equalTexts++;
        }
        assertThat(k).isEqualTo(5678);
        assertThat(equalTexts).isEqualTo(320);
        assertThat(maxDiff).as("max |distil4j - Spark NLP (ONNX Runtime)|").isLessThan(1e-4);
        System.out.printf("Spark NLP parity: 320 texts, %d annotations equal, max embedding diff %.3g%n", k, maxDiff);
    }

    @Test
    void longSentencesAreCutAsSparkNlpCutsThem() {
        // 200 one-piece words in one sentence: 126 reach the model, the 127th gets the [SEP] vector, the rest nothing
        String text = String.join(" ", Collections.nCopies(200, "word"));
        SparkNlpEmbeddings emb = new SparkNlpEmbeddings(model, 128, false, 8);
        SparkNlpEmbeddings.Document d = emb.document(text);
        assertThat(d.tokens()).hasSize(200);
        assertThat(d.words()).hasSize(127);
        float[][] sep = tokenVectors(126);
        assertThat(d.words().get(126).vector()).containsExactly(sep[127]);
        assertThat(d.words().get(125).vector()).containsExactly(sep[126]);
        // shorter limit: 8 pieces kept, 6 fed
        assertThat(new SparkNlpEmbeddings(model, 8, false, 8).document(text).words()).hasSize(7);
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new SparkNlpEmbeddings(model, 0, false, 8)).hasMessageContaining("maxSentenceLength must be between 1 and 512");
        assertThatThrownBy(() -> new SparkNlpEmbeddings(model, 513, false, 8)).hasMessageContaining("maxSentenceLength");
        assertThatThrownBy(() -> new SparkNlpEmbeddings(model, 128, false, 0)).hasMessageContaining("batch size");
        SparkNlpEmbeddings emb = new SparkNlpEmbeddings(model, 128, false, 8);
        assertThat(emb.document("").words()).isEmpty();
        assertThat(emb.document(" \t ").sentences()).isEmpty();
        assertThatThrownBy(() -> emb.documents(java.util.Arrays.asList("a", null))).hasMessageContaining("text 1 is null");
        // Spark NLP lower-cases result and token for an uncased model; case sensitive keeps them
        assertThat(emb.document("Hello World.").words()).extracting(SparkNlpEmbeddings.WordAnnotation::result)
                .containsExactly("hello", "world", ".");
        Map<String, String> md = emb.document("Hello").words().get(0).metadata();
        assertThat(md).containsExactly(Map.entry("sentence", "0"), Map.entry("token", "hello"), Map.entry("pieceId", "7592"),
                Map.entry("isWordStart", "true"), Map.entry("isOOV", "false"));
        assertThat(new SparkNlpEmbeddings(model, 128, true, 8).document("Hello").words().get(0).result()).isEqualTo("Hello");
    }

    /** The rows of [CLS] + n x "word" + [SEP] straight through the model. */
    private static float[][] tokenVectors(int n) {
        int word = model.tokenizer().tokenToId("word");
        int[] ids = new int[n + 2];
        java.util.Arrays.fill(ids, word);
        ids[0] = model.tokenizer().clsTokenId();
        ids[n + 1] = model.tokenizer().sepTokenId();
        float[][][] rows = Batches.lastHiddenStates(model, List.of(new Batches.Sequence(ids, null)), 1);
        return rows[0];
    }

    /** A float32 .npy v1 file of shape [rows, cols]. */
    static float[][] npy(Path f, int cols) throws IOException {
        byte[] b = Files.readAllBytes(f);
        int header = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        ByteBuffer bb = ByteBuffer.wrap(b, 10 + header, b.length - 10 - header).order(ByteOrder.LITTLE_ENDIAN);
        int rows = bb.remaining() / 4 / cols;
        float[][] out = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int d = 0; d < cols; d++) out[i][d] = bb.getFloat();
        }
        return out;
    }
}
