package dev.distil4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.QuestionAnswering;
import dev.distil4j.pipeline.TextClassification;
import dev.distil4j.pipeline.TokenClassification;
import dev.distil4j.tokenizer.Tokenizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The task stages give what their Java pipelines give (scores within float rounding of padded batches). */
class StagesTest {
    static final double TOL = 1e-5;

    static String path(String rel) {
        return Shared.path(rel).toString();
    }

    static List<Row> sorted(Dataset<Row> out) {
        return out.orderBy("id").collectAsList();
    }

    @Test
    void sentenceEmbeddingsAsSentenceTransformers() {
        Path dir = Shared.path("real/all-MiniLM-L6-v2");
        List<String> texts = new ArrayList<>(Shared.goldenStrings("bert-base-uncased").subList(0, 60));
        texts.add("");
        try (Embeddings api = Embeddings.load(dir)) {
            List<float[]> want = api.sentences(texts);
            List<Row> rows = sorted(new SentenceEmbeddings().setModel(dir.toString()).transform(SparkTests.numbered(texts, 3)));
            for (Row r : rows) {
                float[] got = SparkTests.floats(r.getList(2));
                float[] exp = want.get(r.getInt(0));
                assertThat(got).hasSize(384);
                for (int d = 0; d < got.length; d++) assertThat(got[d]).isCloseTo(exp[d], within((float) TOL));
            }
            // pooling and normalisation overridden as Embeddings.withSentenceConfig does
            Embeddings cls = api.withSentenceConfig(api.sentenceConfig().with(SentenceEmbeddings.poolingModes("cls"), false));
            List<float[]> wantCls = cls.sentences(texts.subList(0, 5));
            List<Row> clsRows = sorted(new SentenceEmbeddings().setModel(dir.toString()).setPooling("cls").setNormalize(false)
                    .transform(SparkTests.numbered(texts.subList(0, 5), 2)));
            for (Row r : clsRows) {
                float[] got = SparkTests.floats(r.getList(2));
                for (int d = 0; d < got.length; d++) assertThat(got[d]).isCloseTo(wantCls.get(r.getInt(0))[d], within((float) TOL));
            }
        }
    }

    @Test
    void fillMaskAsThePipeline() {
        Path dir = Shared.path("fixtures/models/roberta-mlm");
        List<String> texts = List.of("The capital of France is <mask>.", "<mask> loves <mask> and Paris.", "Hello <mask>!");
        try (PipelineModel m = PipelineModel.load(dir)) {
            dev.distil4j.pipeline.FillMask fm = new dev.distil4j.pipeline.FillMask(m);
            var options = dev.distil4j.pipeline.FillMask.Options.defaults().withTopK(3);
            List<dev.distil4j.pipeline.FillMask.Result> want = fm.predictBatch(texts, options);
            List<Row> rows = sorted(new FillMask().setModel(dir.toString()).setTopK(3).transform(SparkTests.numbered(texts, 2)));
            for (Row r : rows) {
                List<List<Row>> masks = new ArrayList<>();
                for (Object o : r.getList(2)) masks.add(scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<Row>) o));
                var exp = want.get(r.getInt(0)).masks();
                assertThat(masks).hasSize(exp.size());
                for (int i = 0; i < exp.size(); i++) {
                    for (int j = 0; j < exp.get(i).size(); j++) {
                        Row p = masks.get(i).get(j);
                        var e = exp.get(i).get(j);
                        assertThat(p.getInt(1)).isEqualTo(e.token());
                        assertThat(p.getString(2)).isEqualTo(e.tokenStr());
                        assertThat(p.getString(3)).isEqualTo(e.sequence());
                        assertThat((double) p.getFloat(0)).isCloseTo(e.score(), within(TOL));
                    }
                }
            }
            // targets
            List<Row> targeted = sorted(new FillMask().setModel(dir.toString()).setTargets("Paris", " Paris")
                    .transform(SparkTests.numbered(texts.subList(0, 1), 1)));
            var exp = fm.predict(texts.get(0), options.withTargets(List.of("Paris", " Paris"))).first();
            List<Row> got = scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<Row>) targeted.get(0).getList(2).get(0));
            assertThat(got).extracting(p -> p.getInt(1)).containsExactlyElementsOf(exp.stream().map(p -> p.token()).toList());
        }
    }

    @Test
    void textClassifierWithPairsAndTopK() {
        Path dir = Shared.path("fixtures/models/roberta-seqcls");
        List<Row> data = List.of(RowFactory.create(0, "I love this movie!", null), RowFactory.create(1, "How old are you?", "I am six."),
                RowFactory.create(2, null, "nothing"));
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("text", DataTypes.StringType).add("pair", DataTypes.StringType);
        Dataset<Row> df = SparkTests.spark().createDataFrame(data, schema);
        try (PipelineModel m = PipelineModel.load(dir)) {
            TextClassification tc = new TextClassification(m);
            var options = TextClassification.Options.defaults().withTopK(TextClassification.ALL);
            List<List<TextClassification.LabelScore>> want = tc.classifyBatch(List.of(TextClassification.Input.of("I love this movie!"),
                    TextClassification.Input.pair("How old are you?", "I am six.")), options);
            List<Row> rows = sorted(new TextClassifier().setModel(dir.toString()).setTextPairCol("pair").setTopK(0).transform(df));
            for (int i = 0; i < 2; i++) {
                List<Row> got = rows.get(i).getList(3);
                assertThat(got).extracting(l -> l.getString(0)).containsExactlyElementsOf(want.get(i).stream().map(TextClassification.LabelScore::label).toList());
                for (int k = 0; k < got.size(); k++) assertThat((double) got.get(k).getFloat(1)).isCloseTo(want.get(i).get(k).score(), within(TOL));
            }
            assertThat(rows.get(2).isNullAt(3)).isTrue();
            List<Row> top1 = sorted(new TextClassifier().setModel(dir.toString()).setFunction("sigmoid").transform(df));
            assertThat(top1.get(0).getList(3)).hasSize(1);
            assertThat(((Row) top1.get(0).getList(3).get(0)).getFloat(1))
                    .isCloseTo(tc.classify("I love this movie!", TextClassification.Options.defaults().withFunction(TextClassification.Function.SIGMOID)).get(0).score(), within(1e-5f));
        }
    }

    @Test
    void tokenClassifierWithAFastTokenizerFile() {
        Path dir = Shared.path("fixtures/models/distilbert-tokcls");
        Path tokenizer = Shared.path("fixtures/goldens/distilbert-tokcls/tokenizer.json");
        List<String> texts = new ArrayList<>();
        for (JsonNode t : Shared.json("fixtures/goldens/distilbert-tokcls/token_classification.json").get("texts")) texts.add(t.get("text").asText());
        try (PipelineModel m = new PipelineModel(dir, Tokenizer.fromTokenizerJson(tokenizer), Model.load(dir))) {
            TokenClassification tc = new TokenClassification(m);
            for (String aggregation : List.of("none", "simple", "first")) {
                var options = TokenClassification.Options.defaults().withAggregation(TokenClassification.Aggregation.parse(aggregation))
                        .withIgnoreLabels(List.of());
                List<List<TokenClassification.Entity>> want = tc.predictBatch(texts, options);
                List<Row> rows = sorted(new TokenClassifier().setModel(dir.toString()).setTokenizerFile(tokenizer.toString())
                        .setAggregation(aggregation).setIgnoreLabels().transform(SparkTests.numbered(texts, 3)));
                for (Row r : rows) {
                    List<Row> got = r.getList(2);
                    List<TokenClassification.Entity> exp = want.get(r.getInt(0));
                    assertThat(got).as("%s text %d", aggregation, r.getInt(0)).hasSize(exp.size());
                    for (int i = 0; i < exp.size(); i++) {
                        Row g = got.get(i);
                        TokenClassification.Entity e = exp.get(i);
                        assertThat(Arrays.asList(g.getString(0), g.getInt(2), g.getString(3), g.getInt(4), g.getInt(5)))
                                .isEqualTo(Arrays.asList(e.label(), e.index(), e.word(), e.start(), e.end()));
                        assertThat((double) g.getFloat(1)).isCloseTo(e.score(), within(TOL));
                    }
                }
            }
        }
    }

    @Test
    void questionAnswererOverWindows() {
        Path dir = Shared.path("fixtures/models/distilbert-qa");
        Path tokenizer = Shared.path("fixtures/goldens/distilbert-qa/tokenizer.json");
        List<QuestionAnswering.Input> inputs = new ArrayList<>();
        List<Row> data = new ArrayList<>();
        for (JsonNode c : Shared.json("fixtures/goldens/distilbert-qa/question_answering.json").get("cases")) {
            inputs.add(new QuestionAnswering.Input(c.get("question").asText(), c.get("context").asText()));
            data.add(RowFactory.create(data.size(), c.get("question").asText(), c.get("context").asText()));
        }
        data.add(RowFactory.create(data.size(), "Who?", null));
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("question", DataTypes.StringType).add("context", DataTypes.StringType);
        try (PipelineModel m = new PipelineModel(dir, Tokenizer.fromTokenizerJson(tokenizer), Model.load(dir))) {
            var options = QuestionAnswering.Options.defaults().withTopK(2).withDocStride(16).withMaxSeqLen(48);
            List<List<QuestionAnswering.Answer>> want = new QuestionAnswering(m).predictBatch(inputs, options);
            List<Row> rows = sorted(new QuestionAnswerer().setModel(dir.toString()).setTokenizerFile(tokenizer.toString())
                    .setTopK(2).setDocStride(16).setMaxSeqLen(48).transform(SparkTests.spark().createDataFrame(data, schema).repartition(2)));
            for (int i = 0; i < inputs.size(); i++) {
                List<Row> got = rows.get(i).getList(3);
                assertThat(got).hasSize(want.get(i).size());
                for (int k = 0; k < got.size(); k++) {
                    QuestionAnswering.Answer a = want.get(i).get(k);
                    assertThat(Arrays.asList(got.get(k).getInt(1), got.get(k).getInt(2), got.get(k).getString(3)))
                            .isEqualTo(Arrays.asList(a.start(), a.end(), a.answer()));
                    assertThat((double) got.get(k).getFloat(0)).isCloseTo(a.score(), within(TOL));
                }
            }
            assertThat(rows.get(inputs.size()).isNullAt(3)).isTrue();
        }
    }
}
