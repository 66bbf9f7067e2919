package dev.distil4j.spark;

import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.SparkNlpEmbeddings;
import dev.distil4j.tokenizer.sparknlp.SparkNlpSentenceDetector;
import dev.distil4j.tokenizer.sparknlp.SparkNlpTokenizer;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Spark 4 half of scripts/check-spark-nlp-interop: texts through {@link WordEmbeddings} in both modes
 * (Spark NLP compatibility, column {@code embeddings}; transformers-exact annotations, column {@code hf_embeddings}),
 * written to Parquet with what distil4j's Java API says the results are, for Spark NLP to check in another JVM:
 * {@code exp_sentences}, {@code exp_tokens} (Spark NLP's SentenceDetector and Tokenizer as distil4j reproduces them),
 * {@code exp_vectors} (each annotation's vector) and {@code exp_sentence_means} (per sentence the mean of its word
 * vectors: what Spark NLP's SentenceEmbeddings AVERAGE must give).
 *
 * <p>{@code SparkNlpInteropWriter MODEL_DIR OUT_DIR TEXTS_FILE...} (one text per line; a {@code .jsonl} file gives
 * its lines' {@code text}).
 */
public final class SparkNlpInteropWriter {
    private SparkNlpInteropWriter() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) throw new IllegalArgumentException("usage: SparkNlpInteropWriter MODEL_DIR OUT_DIR TEXTS_FILE...");
        String model = args[0];
        List<String> texts = new ArrayList<>();
        for (int i = 2; i < args.length; i++) texts.addAll(read(Path.of(args[i])));

        List<Row> rows = new ArrayList<>();
        try (PipelineModel pm = PipelineModel.load(Path.of(model), Model.Options.defaults().withHead(HeadType.NONE))) {
            List<SparkNlpEmbeddings.Document> docs = new SparkNlpEmbeddings(pm, 128, !WordEmbeddings.lowercases(pm.tokenizer().normalizer()), 8)
                    .documents(texts);
            for (int i = 0; i < texts.size(); i++) rows.add(expected(i, texts.get(i), docs.get(i)));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("text", DataTypes.StringType, true)
                .add("exp_sentences", DataTypes.createArrayType(new StructType().add("begin", DataTypes.IntegerType)
                        .add("end", DataTypes.IntegerType).add("result", DataTypes.StringType)))
                .add("exp_tokens", DataTypes.createArrayType(new StructType().add("begin", DataTypes.IntegerType)
                        .add("end", DataTypes.IntegerType).add("result", DataTypes.StringType).add("sentence", DataTypes.IntegerType)))
                .add("exp_vectors", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)))
                .add("exp_sentence_means", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType)));
        SparkSession spark = SparkSession.builder().master("local[2]").appName("distil4j interop writer")
                .config("spark.ui.enabled", "false").getOrCreate();
        Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(2);
        Dataset<Row> out = new Pipeline().setStages(new PipelineStage[] {
                new WordEmbeddings().setModel(model).setCompatibility("spark-nlp").setStorageRef("distil4j_spark_nlp"),
                new WordEmbeddings().setModel(model).setOutputFormat("annotations").setOutputCol("hf_embeddings")})
                .fit(df).transform(df);
        out.write().mode("overwrite").parquet(args[1]);
        System.out.println("wrote " + texts.size() + " rows to " + args[1] + "; column metadata: "
                + out.schema().apply("embeddings").metadata().json() + " " + out.schema().apply("hf_embeddings").metadata().json());
        spark.stop();
    }

    private static Row expected(int id, String text, SparkNlpEmbeddings.Document d) {
        List<Row> sentences = new ArrayList<>();
        for (SparkNlpSentenceDetector.Sentence s : d.sentences()) sentences.add(RowFactory.create(s.begin(), s.end(), s.text()));
        List<Row> tokens = new ArrayList<>();
        for (SparkNlpTokenizer.Token t : d.tokens()) tokens.add(RowFactory.create(t.begin(), t.end(), t.text(), t.sentence()));
        List<float[]> vectors = new ArrayList<>();
        List<double[]> sums = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int s = 0; s < d.sentences().size(); s++) {
            sums.add(null);
            counts.add(0);
        }
        for (SparkNlpEmbeddings.WordAnnotation w : d.words()) {
            float[] v = w.vector();
            vectors.add(v);
            if (sums.get(w.sentence()) == null) sums.set(w.sentence(), new double[v.length]);
            for (int k = 0; k < v.length; k++) sums.get(w.sentence())[k] += v[k];
            counts.set(w.sentence(), counts.get(w.sentence()) + 1);
        }
        List<float[]> means = new ArrayList<>();
        for (int s = 0; s < sums.size(); s++) {
            double[] sum = sums.get(s);
            float[] mean = new float[sum == null ? 0 : sum.length];
            for (int k = 0; k < mean.length; k++) mean[k] = (float) (sum[k] / counts.get(s));
            means.add(mean);
        }
        return RowFactory.create(id, text, sentences.toArray(), tokens.toArray(), vectors.toArray(), means.toArray());
    }

    private static List<String> read(Path f) throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(f);
        if (!f.toString().endsWith(".jsonl")) return lines;
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> out = new ArrayList<>();
        for (String l : lines) if (!l.isBlank()) out.add(json.readTree(l).get("text").asText());
        return out;
    }
}
