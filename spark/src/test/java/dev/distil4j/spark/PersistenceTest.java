package dev.distil4j.spark;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Saving a pipeline saves the model reference and the parameters; loading works in a new SparkSession. */
class PersistenceTest {
    static final List<String> TEXTS = List.of("Anna wrote the letter to Paris.", "I love this movie! It is great.", "",
            "The clockmaker Anna lived near Zurich.");

    static Map<String, String> params(org.apache.spark.ml.param.Params stage) {
        Map<String, String> out = new TreeMap<>();
        for (ParamPair<?> p : scala.jdk.javaapi.CollectionConverters.asJava(stage.extractParamMap().toSeq())) {
            Object v = p.value();
            out.put(p.param().name(), v instanceof String[] a ? String.join("|", a) : String.valueOf(v));
        }
        return out;
    }

    @Test
    void pipelineRoundTripInANewSession(@TempDir Path tmp) throws IOException {
        String tiny = Shared.path("fixtures/models/distilbert-mlm").toString();
        String seqcls = Shared.path("fixtures/models/distilbert-seqcls").toString();
        String tokcls = Shared.path("fixtures/models/distilbert-tokcls").toString();
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new WordEmbeddings().setModel(tiny).setPooling("mean").setOutputFormat("annotations").setBatchSize(4).setMaxSentenceLength(16),
                new SentenceEmbeddings().setModel(tiny).setOutputCol("sentence").setPooling("cls,max").setNormalize(true),
                new TextClassifier().setModel(seqcls).setTopK(0).setFunction("sigmoid").setOutputCol("classes"),
                new TokenClassifier().setModel(tokcls).setTokenizerFile(Shared.path("fixtures/goldens/distilbert-tokcls/tokenizer.json").toString())
                        .setAggregation("simple").setIgnoreLabels("O", "B-LOC").setHandleInvalid("keep"),
                new FillMask().setModel(tiny).setTargets("paris", "london").setTopK(2).setOutputCol("fill").setHandleInvalid("keep")});
        String pipelineDir = tmp.resolve("pipeline").toString();
        String modelDir = tmp.resolve("model").toString();

        SparkSession first = SparkTests.spark();
        Dataset<Row> df = SparkTests.numbered(TEXTS, 2);
        pipeline.write().overwrite().save(pipelineDir);
        PipelineModel fitted = pipeline.fit(df);
        fitted.write().overwrite().save(modelDir);
        List<Row> before = fitted.transform(df).orderBy("id").collectAsList();
        List<Map<String, String>> paramsBefore = Stream.of(fitted.stages()).map(PersistenceTest::params).toList();

        // the model reference and parameters are saved, not the model: a few kilobytes
        long bytes;
        try (Stream<Path> files = Files.walk(tmp)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(bytes).isLessThan(64 * 1024);
        String metadata;
        try (Stream<Path> files = Files.walk(tmp.resolve("model/stages"))) {
            Path md = files.filter(p -> p.toString().contains("WordEmbeddings") && p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
            metadata = Files.readString(md);
        }
        assertThat(metadata).contains("\"model\":\"" + tiny + "\"").contains("\"pooling\":\"mean\"").contains("dev.distil4j.spark.WordEmbeddings");

        first.stop();
        SparkSession fresh = SparkTests.spark();
        assertThat(fresh).isNotSameAs(first);
        assertThat(fresh.sparkContext()).isNotSameAs(first.sparkContext());
        Dataset<Row> df2 = SparkTests.numbered(TEXTS, 2);

        PipelineModel loaded = PipelineModel.load(modelDir);
        assertThat(Stream.of(loaded.stages()).map(s -> s.getClass().getSimpleName()).toList())
                .containsExactly("WordEmbeddings", "SentenceEmbeddings", "TextClassifier", "TokenClassifier", "FillMask");
        assertThat(Stream.of(loaded.stages()).map(PersistenceTest::params).toList()).isEqualTo(paramsBefore);
        for (Transformer t : loaded.stages()) assertThat(t.uid()).isIn(Stream.of(fitted.stages()).map(Transformer::uid).toList());
        Rows.assertClose(before, loaded.transform(df2).orderBy("id").collectAsList(), 1e-5);

        Pipeline reloaded = Pipeline.load(pipelineDir);
        Rows.assertClose(before, reloaded.fit(df2).transform(df2).orderBy("id").collectAsList(), 1e-5);
    }

    @Test
    void everyStageSavesAndLoadsOnItsOwn(@TempDir Path tmp) throws IOException {
        SparkTests.spark();
        List<Distil4jTransformer<?>> stages = List.of(
                new WordEmbeddings().setModel("distilbert-base-uncased").setCaseSensitive(false).setSplitSentences(false).setInputCol("tokens").setTextCol("text"),
                new SentenceEmbeddings().setModel("maven:g:a:1").setLongInputs("windows").setStride(8).setMaxLength(128),
                new FillMask().setModel("m").setTopK(7).setTargets("a", "b"),
                new TextClassifier().setModel("m").setTextPairCol("pair").setTruncation(true).setMaxLength(32),
                new TokenClassifier().setModel("m").setStride(4).setAggregation("max"),
                new QuestionAnswerer().setModel("sparkfiles:qa").setQuestionCol("q").setContextCol("c").setTopK(3)
                        .setHandleImpossibleAnswer(true).setDocStride(16).setMaxSeqLen(48).setAlignToWords(false).setMaxAnswerLen(4)
                        .setComputeThreads(2).setSortWindow(64).setBatchSize(8).setHandleInvalid("skip").setOutputCol("out"));
        for (Distil4jTransformer<?> s : stages) {
            String dir = tmp.resolve(s.uid()).toString();
            s.save(dir);
            Distil4jTransformer<?> back = switch (s) {
                case WordEmbeddings w -> WordEmbeddings.load(dir);
                case SentenceEmbeddings w -> SentenceEmbeddings.load(dir);
                case FillMask w -> FillMask.load(dir);
                case TextClassifier w -> TextClassifier.load(dir);
                case TokenClassifier w -> TokenClassifier.load(dir);
                case QuestionAnswerer w -> QuestionAnswerer.load(dir);
                default -> throw new AssertionError(s);
            };
            assertThat(back.uid()).isEqualTo(s.uid());
            assertThat(params(back)).as(s.getClass().getSimpleName()).isEqualTo(params(s));
        }
        // unset optional params stay unset: the model decides
        assertThat(((WordEmbeddings) stages.get(0)).getCaseSensitive()).isFalse();
        assertThat(new WordEmbeddings().getCaseSensitive()).isNull();
    }
}
