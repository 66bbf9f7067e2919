package dev.distil4j.spark;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.SentenceSplitter;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** WordEmbeddings in a Spark ML pipeline gives what the Java API gives; nulls, empty and long texts; odd partitionings. */
class WordEmbeddingsTest {
    static final String MODEL = "fixtures/models/distilbert-mlm";
    static dev.distil4j.pipeline.PipelineModel model;
    static Embeddings api;
    static List<String> golden;

    @BeforeAll
    static void load() {
        // one compute thread, as each Spark task uses (spark.task.cpus = 1): the same arithmetic, bit for bit
        model = dev.distil4j.pipeline.PipelineModel.load(Shared.path(MODEL), Model.Options.defaults().withHead(HeadType.NONE)
                .withCompute(new Compute(Kernels.best(), 1)));
        api = new Embeddings(model, null, Embeddings.Options.defaults());
        golden = Shared.goldenStrings("tiny-wordpiece-uncased");
        // The Vector API leaves the order of a lane reduction open, and the interpreted and JIT-compiled
        // kernels do differ in it (1e-6 on these vectors): warm the kernels up so that the Java API and
        // the Spark tasks, which run in this same JVM, both use the compiled ones.
        Embeddings warm = api.withOptions(Embeddings.Options.defaults().withBatchSize(1));
        for (int i = 0; i < 3; i++) {
            warm.documents(golden, SentenceSplitter.rules(), Embeddings.WordPooling.MEAN);
            warm.wordsBatch(golden, null, Embeddings.WordPooling.MEAN);
        }
    }

    @AfterAll
    static void close() {
        model.close();
        model.model().compute().close();
    }

    static String model() {
        return Shared.path(MODEL).toString();
    }

    static List<Row> run(PipelineStage stage, Dataset<Row> df) {
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(df);
        return fitted.transform(df).orderBy("id").collectAsList();
    }

    /** Compares a row's words with the Java API's; returns the largest vector difference. */
    static double compare(String what, List<Row> got, List<Embeddings.WordEmbedding> want) {
        assertThat(got).as(what).hasSize(want.size());
        double max = 0;
        for (int w = 0; w < want.size(); w++) {
            Row g = got.get(w);
            Embeddings.WordEmbedding e = want.get(w);
            assertThat(g.getString(0)).as(what).isEqualTo(e.word());
            assertThat(g.getInt(1)).as(what).isEqualTo(e.begin());
            assertThat(g.getInt(2)).as(what).isEqualTo(e.end());
            assertThat(g.getInt(3)).as(what).isEqualTo(e.sentence());
            float[] v = SparkTests.floats(g.getList(4));
            float[] ev = e.vector();
            assertThat(v).as(what).hasSameSizeAs(ev);
            for (int d = 0; d < v.length; d++) max = Math.max(max, Math.abs(v[d] - ev[d]));
        }
        return max;
    }

    @Test
    void goldenStringsGiveExactlyTheJavaApiVectors() {
        // one sequence per forward pass on both sides (no padding): bit for bit the same floats
        Embeddings oneByOne = api.withOptions(Embeddings.Options.defaults().withBatchSize(1));
        List<Embeddings.DocumentEmbeddings> expected = oneByOne.documents(golden, SentenceSplitter.rules(), Embeddings.WordPooling.FIRST);
        List<Row> rows = run(new WordEmbeddings().setModel(model()).setBatchSize(1), SparkTests.numbered(golden, 3));
        assertThat(rows).hasSize(golden.size());
        int words = 0;
        for (Row r : rows) {
            int id = r.getInt(0);
            List<Row> got = r.getList(2);
            assertThat(compare("text " + id + " " + golden.get(id), got, expected.get(id).words())).as("text %d", id).isZero();
            words += got.size();
        }
        assertThat(words).isGreaterThan(2000);
    }

    @Test
    void batchedRowsGiveTheSameBitsWhateverTheyAreBatchedWith() {
        // default batching (32 per pass, 256-row windows) pads sequences together: the kernels' results do not
        // depend on the padding (BatchIndependenceTest), so the vectors are the same bits as the Java API's
        for (String pooling : List.of("first", "mean", "last")) {
            List<Embeddings.DocumentEmbeddings> expected = api.documents(golden, SentenceSplitter.rules(),
                    Embeddings.WordPooling.valueOf(pooling.toUpperCase()));
            List<Row> rows = run(new WordEmbeddings().setModel(model()).setPooling(pooling), SparkTests.numbered(golden, 2));
            double max = 0;
            for (Row r : rows) max = Math.max(max, compare(pooling + " text " + r.getInt(0), r.getList(2), expected.get(r.getInt(0)).words()));
            assertThat(max).as(pooling).isZero();
        }
    }

    @Test
    void withoutSentenceSplittingTheWholeTextIsOneSequence() {
        List<List<Embeddings.WordEmbedding>> expected = api.withOptions(Embeddings.Options.defaults().withBatchSize(1))
                .wordsBatch(golden, null, Embeddings.WordPooling.MEAN);
        List<Row> rows = run(new WordEmbeddings().setModel(model()).setSplitSentences(false).setPooling("mean").setBatchSize(1),
                SparkTests.numbered(golden, 2));
        for (Row r : rows) assertThat(compare("text " + r.getInt(0), r.getList(2), expected.get(r.getInt(0)))).isZero();
    }

    @Test
    void wordsGivenAsAnArrayOfStrings() {
        List<String> text = List.of("Dr. Smith lives in Paris.", "He loves the wonderful city!");
        List<List<String>> tokens = List.of(List.of("Dr.", "Smith", "lives", "in", "Paris", "."),
                List.of("He", "loves", "the", "wonderful", "city", "!"));
        List<Row> data = new ArrayList<>();
        for (int i = 0; i < 2; i++) data.add(RowFactory.create(i, text.get(i), tokens.get(i).toArray(new String[0])));
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType)
                .add("tokens", DataTypes.createArrayType(DataTypes.StringType));
        Dataset<Row> df = SparkTests.spark().createDataFrame(data, schema);

        // found in the text column: offsets into the text
        List<Row> located = run(new WordEmbeddings().setModel(model()).setInputCol("tokens").setTextCol("text").setBatchSize(1), df);
        // joined by spaces: offsets into "Dr. Smith lives in Paris ."
        List<Row> joined = run(new WordEmbeddings().setModel(model()).setInputCol("tokens").setBatchSize(1), df);
        Embeddings one = api.withOptions(Embeddings.Options.defaults().withBatchSize(1));
        for (int i = 0; i < 2; i++) {
            String t = text.get(i);
            assertThat(compare("located " + i, located.get(i).getList(3),
                    one.words(t, Embeddings.Span.locate(t, tokens.get(i)), Embeddings.WordPooling.FIRST))).isZero();
            String j = String.join(" ", tokens.get(i));
            assertThat(compare("joined " + i, joined.get(i).getList(3),
                    one.words(j, Embeddings.Span.locate(j, tokens.get(i)), Embeddings.WordPooling.FIRST))).isZero();
        }
        assertThat(((Row) located.get(0).getList(3).get(0)).getString(0)).isEqualTo("Dr.");
    }

    @Test
    void annotationsHaveSparkNlpSchema() {
        WordEmbeddings stage = new WordEmbeddings().setModel(model()).setOutputFormat("annotations").setBatchSize(1);
        Dataset<Row> out = stage.transform(SparkTests.numbered(List.of("Dr. Smith lives in Paris. He loves it!"), 1));
        ArrayType type = (ArrayType) out.schema().apply("embeddings").dataType();
        // Spark NLP's Annotation.dataType
        StructType annotation = new StructType()
                .add("annotatorType", DataTypes.StringType, true)
                .add("begin", DataTypes.IntegerType, false)
                .add("end", DataTypes.IntegerType, false)
                .add("result", DataTypes.StringType, true)
                .add("metadata", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
                .add("embeddings", DataTypes.createArrayType(DataTypes.FloatType, false), true);
        assertThat(type.elementType()).isEqualTo(annotation);
        // Spark NLP's column metadata: its storage-ref check reads 'ref'
        org.apache.spark.sql.types.Metadata columnMetadata = out.schema().apply("embeddings").metadata();
        assertThat(columnMetadata.getString("annotatorType")).isEqualTo("word_embeddings");
        assertThat(columnMetadata.getLong("dimension")).isEqualTo(32);
        assertThat(columnMetadata.getString("ref")).isEqualTo(stage.uid()).startsWith("WordEmbeddings_");

        String text = "Dr. Smith lives in Paris. He loves it!";
        List<Embeddings.WordEmbedding> want = api.withOptions(Embeddings.Options.defaults().withBatchSize(1))
                .document(text, Embeddings.WordPooling.FIRST).words();
        List<Row> got = out.collectAsList().get(0).getList(2);
        assertThat(got).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            Row a = got.get(i);
            Embeddings.WordEmbedding w = want.get(i);
            assertThat(a.getString(0)).isEqualTo("word_embeddings");
            assertThat(a.getInt(1)).isEqualTo(w.begin());
            assertThat(a.getInt(2)).isEqualTo(w.endInclusive());
            // an uncased model: result and token lower-cased, as Spark NLP reports them
            assertThat(text.substring(a.getInt(1), a.getInt(2) + 1).toLowerCase(java.util.Locale.ROOT)).isEqualTo(a.getString(3));
            Map<String, String> md = a.getJavaMap(4);
            int firstPiece = model.tokenizer().encode(w.word().toLowerCase(java.util.Locale.ROOT),
                    dev.distil4j.tokenizer.EncodeOptions.DEFAULT.withAddSpecialTokens(false)).idAt(0);
            assertThat(md).containsExactlyInAnyOrderEntriesOf(Map.of("sentence", Integer.toString(w.sentence()),
                    "token", a.getString(3), "pieceId", Integer.toString(firstPiece), "isWordStart", "true", "isOOV", "false"));
            assertThat(w.pieceId()).isEqualTo(firstPiece);
            assertThat(SparkTests.floats(a.getList(5))).isEqualTo(w.vector());
        }
        // what Spark NLP users write downstream works: explode, then the annotation fields
        List<Row> flat = out.selectExpr("explode(embeddings) as e").selectExpr("e.result", "e.metadata['sentence']", "size(e.embeddings)")
                .collectAsList();
        assertThat(flat.get(flat.size() - 1).getString(0)).isEqualTo("!");
        assertThat(flat.get(flat.size() - 1).getString(1)).isEqualTo("1");
        assertThat(flat.get(0).getInt(2)).isEqualTo(32);
    }

    @Test
    void nullsEmptyAndVeryLongTexts() {
        String longText = String.join(" ", Collections.nCopies(400, "the quick brown fox jumps"));   // 2000 words, no sentence end
        String manySentences = String.join(" ", Collections.nCopies(300, "Paris is nice."));
        List<String> texts = Arrays.asList(null, "", "   ", longText, manySentences, "Hello world!");
        List<Row> rows = run(new WordEmbeddings().setModel(model()), SparkTests.numbered(texts, 3));
        assertThat(rows).hasSize(texts.size());
        assertThat(rows.get(0).isNullAt(2)).as("null text -> null").isTrue();
        assertThat(rows.get(1).getList(2)).as("empty text -> no words").isEmpty();
        assertThat(rows.get(2).getList(2)).as("blank text -> no words").isEmpty();

        // one 2000-word sentence: cut at the model's 64 tokens; the words after keep offsets, with zero vectors
        List<Row> words = rows.get(3).getList(2);
        assertThat(words).hasSize(2000);
        long embedded = words.stream().filter(w -> SparkTests.floats(w.getList(4))[0] != 0f).count();
        assertThat(embedded).isEqualTo(62);    // 64 - [CLS] - [SEP], one piece per word in this vocabulary
        Row lastWord = words.get(1999);
        assertThat(longText.substring(lastWord.getInt(1), lastWord.getInt(2))).isEqualTo("jumps");
        assertThat(SparkTests.floats(lastWord.getList(4))).containsOnly(0f);

        // 300 short sentences: each its own sequence, every word embedded
        List<Row> sentenceWords = rows.get(4).getList(2);
        assertThat(sentenceWords).hasSize(1200);
        assertThat(sentenceWords.get(1199).getInt(3)).isEqualTo(299);
        assertThat(sentenceWords).allMatch(w -> SparkTests.floats(w.getList(4))[0] != 0f);
        assertThat(rows.get(5).getList(2)).hasSize(3);
    }

    @Test
    void morePartitionsThanRows() {
        long loadsBefore = ModelCache.loads();
        List<String> texts = List.of("one text", "and another one");
        Dataset<Row> df = SparkTests.numbered(texts, 8);
        assertThat(df.rdd().getNumPartitions()).isEqualTo(8);
        List<Row> rows = run(new WordEmbeddings().setModel(model()), df);
        assertThat(rows).extracting(r -> r.getList(2).size()).containsExactly(2, 3);
        // an empty DataFrame, and one whose partitions are all empty
        Dataset<Row> empty = SparkTests.numbered(List.of(), 4);
        assertThat(new WordEmbeddings().setModel(model()).transform(empty).collectAsList()).isEmpty();
        assertThat(ModelCache.loads() - loadsBefore).as("the model is already cached by this JVM's earlier tests, or loaded once").isLessThanOrEqualTo(1);
    }

    @Test
    void caseSensitivityFollowsTheModel() {
        Dataset<Row> df = SparkTests.numbered(List.of("Paris IS Nice"), 1);
        // an uncased model cannot be made case-sensitive
        WordEmbeddings sensitive = new WordEmbeddings().setModel(model()).setCaseSensitive(true);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> sensitive.transform(df).collectAsList()))
                .hasStackTraceContaining("lower-cases its input");
        // a cased model (byte-level BPE) made case-insensitive: same vectors as the lower-cased text, original words
        String roberta = Shared.path("fixtures/models/roberta-mlm").toString();
        List<Row> insensitive = run(new WordEmbeddings().setModel(roberta).setCaseSensitive(false).setBatchSize(1), df);
        List<Row> lower = run(new WordEmbeddings().setModel(roberta).setBatchSize(1), SparkTests.numbered(List.of("paris is nice"), 1));
        List<Row> a = insensitive.get(0).getList(2), b = lower.get(0).getList(2);
        assertThat(a).extracting(r -> r.getString(0)).containsExactly("Paris", "IS", "Nice");
        for (int i = 0; i < 3; i++) assertThat(SparkTests.floats(a.get(i).getList(4))).isEqualTo(SparkTests.floats(b.get(i).getList(4)));
    }
}
