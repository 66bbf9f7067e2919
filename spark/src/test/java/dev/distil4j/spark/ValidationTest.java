package dev.distil4j.spark;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Schema validation, invalid rows, model resolution on the executors, and what travels in a task. */
class ValidationTest {
    static final String TINY = Shared.path("fixtures/models/distilbert-mlm").toString();

    static Dataset<Row> mixed() {
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType)
                .add("n", DataTypes.IntegerType).add("tokens", DataTypes.createArrayType(DataTypes.StringType));
        return SparkTests.spark().createDataFrame(List.of(RowFactory.create(0, "Paris [MASK] nice.", 3, new String[] {"a"})), schema);
    }

    @Test
    void missingAndWrongTypedColumnsFailBeforeAnyTaskWithClearMessages() {
        Dataset<Row> df = mixed();
        assertThatThrownBy(() -> new WordEmbeddings().setModel(TINY).setInputCol("body").transform(df))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input column 'body' (inputCol) not found").hasMessageContaining("[id, text, n, tokens]");
        assertThatThrownBy(() -> new WordEmbeddings().setModel(TINY).setInputCol("n").transform(df))
                .hasMessageContaining("input column 'n' (inputCol) must be string or array<string>, but it is int");
        assertThatThrownBy(() -> new SentenceEmbeddings().setModel(TINY).setInputCol("tokens").transform(df))
                .hasMessageContaining("must be string, but it is array<string>");
        assertThatThrownBy(() -> new QuestionAnswerer().setModel(TINY).setQuestionCol("text").transform(df))
                .hasMessageContaining("input column 'context' (contextCol) not found");
        assertThatThrownBy(() -> new FillMask().setModel(TINY).setOutputCol("text").transform(df))
                .hasMessageContaining("output column 'text' already exists");
        assertThatThrownBy(() -> new FillMask().transform(df)).hasMessageContaining("no model set");
        assertThatThrownBy(() -> new WordEmbeddings().setModel(TINY).setTextCol("text").transform(df))
                .hasMessageContaining("textCol is only for an array<string> input column");
        assertThatThrownBy(() -> new SentenceEmbeddings().setModel(TINY).setPooling("avg").transform(df))
                .hasMessageContaining("pooling must be cls, mean, max or mean_sqrt_len");
        assertThatThrownBy(() -> new TokenClassifier().setModel(TINY).setStride(4).transform(df))
                .hasMessageContaining("stride needs an aggregation other than none");
        // a Pipeline checks every stage's schema when it is fitted
        Pipeline p = new Pipeline().setStages(new PipelineStage[] {new WordEmbeddings().setModel(TINY), new FillMask().setModel(TINY).setInputCol("nope")});
        assertThatThrownBy(() -> p.fit(df)).hasMessageContaining("input column 'nope' (inputCol) not found");
        // bad parameter values are refused when set
        assertThatThrownBy(() -> new WordEmbeddings().setPooling("FIRST")).hasMessageContaining("pooling");
        assertThatThrownBy(() -> new FillMask().setHandleInvalid("ignore")).hasMessageContaining("handleInvalid");
        assertThatThrownBy(() -> new FillMask().setBatchSize(0)).hasMessageContaining("batchSize");
    }

    @Test
    void invalidRowsFailNamingTheRowOrAreKeptOrSkipped() {
        // one invalid row per failing job: with two, the task that fails first (and so the row named) is down to timing
        Dataset<Row> oneBad = SparkTests.numbered(Arrays.asList("Paris is the [MASK] of France.", "no mask here", null), 2);
        Throwable t = catchThrowable(() -> new FillMask().setModel(TINY).transform(oneBad).collectAsList());
        assertThat(t).hasStackTraceContaining("cannot process \"no mask here\" (12 chars)").hasStackTraceContaining("no mask token")
                .hasStackTraceContaining("Set handleInvalid to \"keep\"");
        Dataset<Row> empty = SparkTests.numbered(Arrays.asList("Paris is the [MASK] of France.", ""), 2);
        assertThat(catchThrowable(() -> new FillMask().setModel(TINY).transform(empty).collectAsList()))
                .hasStackTraceContaining("cannot process \"\" (0 chars)");

        Dataset<Row> df = SparkTests.numbered(Arrays.asList("Paris is the [MASK] of France.", "no mask here", null, ""), 2);
        List<Row> kept = new FillMask().setModel(TINY).setHandleInvalid("keep").transform(df).orderBy("id").collectAsList();
        assertThat(kept).hasSize(4);
        assertThat(kept.get(0).getList(2)).hasSize(1);
        assertThat(kept.subList(1, 4)).allMatch(r -> r.isNullAt(2));
        List<Row> skipped = new FillMask().setModel(TINY).setHandleInvalid("skip").transform(df).orderBy("id").collectAsList();
        assertThat(skipped).extracting(r -> r.getInt(0)).containsExactly(0, 2);   // the null text stays, with a null output

        // a word list that cannot be found in its text is an invalid row too
        StructType schema = new StructType().add("text", DataTypes.StringType).add("tokens", DataTypes.createArrayType(DataTypes.StringType));
        Dataset<Row> words = SparkTests.spark().createDataFrame(List.of(RowFactory.create("a b", new String[] {"a", "c"}),
                RowFactory.create("a b", new String[] {"a", "b"})), schema);
        WordEmbeddings located = new WordEmbeddings().setModel(TINY).setInputCol("tokens").setTextCol("text");
        assertThat(catchThrowable(() -> located.transform(words).collectAsList())).hasStackTraceContaining("word 1 \"c\" is not in the text");
        assertThat(located.setHandleInvalid("skip").transform(words).count()).isEqualTo(1);
    }

    @Test
    void unknownModelFailsWithTheResolverMessage() {
        Dataset<Row> df = SparkTests.numbered(List.of("x"), 1);
        Throwable t = catchThrowable(() -> new WordEmbeddings().setModel("/no/such/model").transform(df).collectAsList());
        assertThat(t).hasStackTraceContaining("no such directory: /no/such/model");
    }

    @Test
    void theTaskCarriesSettingsNotTheModel() throws IOException {
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType);
        for (Distil4jTransformer<?> stage : List.of(new WordEmbeddings().setModel(TINY), new SentenceEmbeddings().setModel(TINY),
                new FillMask().setModel(TINY).setTargets("x"), new TextClassifier().setModel(TINY), new TokenClassifier().setModel(TINY))) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(new PartitionFunction<>(stage.task(schema)));
            }
            assertThat(bytes.size()).as(stage.getClass().getSimpleName()).isLessThan(4096);
        }
    }

    @Test
    void oneModelPerExecutorJvmSharedByItsTasks() {
        ModelCache.clear();
        long before = ModelCache.loads();
        String seqcls = Shared.path("fixtures/models/distilbert-seqcls").toString();
        List<String> texts = java.util.Collections.nCopies(200, "I love this movie!");
        // 8 partitions, two tasks at a time, and a second job: one load
        assertThat(new TextClassifier().setModel(seqcls).setBatchSize(4).setSortWindow(8).transform(SparkTests.texts(texts, 8)).count()).isEqualTo(200);
        assertThat(new TextClassifier().setModel(seqcls).setTopK(2).transform(SparkTests.texts(texts, 3)).count()).isEqualTo(200);
        assertThat(ModelCache.loads() - before).isEqualTo(1);
        assertThat(ModelCache.size()).isEqualTo(1);
    }

    @Test
    void modelShippedWithAddFile() {
        Path dir = Shared.path("fixtures/models/distilbert-seqcls");
        SparkTests.spark().sparkContext().addFile(dir.toString(), true);
        List<Row> rows = new TextClassifier().setModel(ModelLocator.SPARK_FILES + "distilbert-seqcls")
                .transform(SparkTests.texts(List.of("I love this movie!"), 1)).collectAsList();
        List<Row> direct = new TextClassifier().setModel(dir.toString()).transform(SparkTests.texts(List.of("I love this movie!"), 1)).collectAsList();
        Rows.assertClose(direct, rows, 1e-6);
        assertThat(catchThrowable(() -> new TextClassifier().setModel("sparkfiles:nothing-shipped")
                .transform(SparkTests.texts(List.of("x"), 1)).collectAsList())).hasStackTraceContaining("no file or directory nothing-shipped was shipped");
    }
}
