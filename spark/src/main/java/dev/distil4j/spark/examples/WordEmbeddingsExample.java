package dev.distil4j.spark.examples;

import dev.distil4j.spark.WordEmbeddings;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Spark NLP model card of {@code DistilBertEmbeddings.pretrained("distilbert_base_uncased")}
 * (DocumentAssembler → SentenceDetector → Tokenizer → DistilBertEmbeddings, then one row per word)
 * with distil4j's {@link WordEmbeddings} in its place, emitting Spark NLP's annotation schema.
 *
 * <pre>
 * spark-submit --class dev.distil4j.spark.examples.WordEmbeddingsExample \
 *   --driver-java-options "--add-modules jdk.incubator.vector" \
 *   distil4j-spark-VERSION-shaded.jar [MODEL [TEXT...]]
 * </pre>
 *
 * MODEL defaults to {@code distilbert-base-uncased} (the hub id; a directory works too).
 */
public final class WordEmbeddingsExample {
    private WordEmbeddingsExample() {}

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "distilbert-base-uncased";
        List<String> texts = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
                : List.of("I love NLP. Spark runs it on every core!");

        SparkSession spark = SparkSession.builder().appName("distil4j WordEmbeddings example").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            List<Row> rows = new ArrayList<>();
            for (String t : texts) rows.add(RowFactory.create(t));
            Dataset<Row> data = spark.createDataFrame(rows, new StructType().add("text", DataTypes.StringType));

            // DocumentAssembler + SentenceDetector + Tokenizer + DistilBertEmbeddings in one stage
            WordEmbeddings embeddings = new WordEmbeddings()
                    .setModel(model)
                    .setInputCol("text")
                    .setOutputCol("embeddings")
                    .setPooling("first")              // Spark NLP's choice: a word's first word piece
                    .setOutputFormat("annotations");  // Spark NLP's annotation schema
            Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {embeddings});
            PipelineModel fitted = pipeline.fit(data);
            Dataset<Row> result = fitted.transform(data);

            // result.selectExpr("explode(embeddings) as e").select("e.result", "e.embeddings") in the card
            List<Row> words = result.selectExpr("explode(embeddings) as e")
                    .selectExpr("e.result", "e.begin", "e.end", "e.metadata['sentence'] as sentence", "e.embeddings")
                    .collectAsList();
            System.out.printf("%-16s %5s %5s %8s  %s%n", "result", "begin", "end", "sentence", "embeddings");
            for (Row w : words) {
                List<Float> v = w.getList(4);
                System.out.printf("%-16s %5d %5d %8s  [%s, %s, %s, ...] (%d floats)%n", w.getString(0), w.getInt(1), w.getInt(2),
                        w.getString(3), v.get(0), v.get(1), v.get(2), v.size());
            }
            System.out.println(words.size() + " words");
        } finally {
            spark.stop();
        }
    }
}
