package dev.distil4j.spark.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.spark.SentenceEmbeddings;
import dev.distil4j.spark.TextClassifier;
import dev.distil4j.spark.WordEmbeddings;
import org.apache.hadoop.util.VersionInfo;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The application {@code StandaloneClusterIT} submits, as a user's job would be: its own jar, with
 * distil4j's shaded jar in {@code --jars}. Runs WordEmbeddings, SentenceEmbeddings and TextClassifier
 * in one pipeline, each model given another way, and writes what came back (floats as their bits)
 * for the test to compare with the Java API.
 *
 * <p>Arguments: output directory, texts file (one per line), partitions, the three model specs.
 */
public final class ClusterJob {
    private ClusterJob() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<String> texts = Files.readAllLines(Path.of(args[1]));
        int partitions = Integer.parseInt(args[2]);
        String wordModel = args[3], sentenceModel = args[4], classifierModel = args[5];
        SparkSession spark = SparkSession.builder().appName("distil4j-cluster-it").getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) rows.add(RowFactory.create(i, texts.get(i)));
            StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("text", DataTypes.StringType, true);
            // parallelize, not repartition: no shuffle, so each of the partitions is one task running all three stages
            Dataset<Row> df = spark.createDataFrame(jsc.parallelize(rows, partitions), schema);

            Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                    new WordEmbeddings().setModel(wordModel).setInputCol("text").setOutputCol("words"),
                    new SentenceEmbeddings().setModel(sentenceModel).setInputCol("text").setOutputCol("sentence"),
                    new TextClassifier().setModel(classifierModel).setInputCol("text").setOutputCol("labels")
                            .setTopK(0).setTruncation(true)});
            PipelineModel fitted = pipeline.fit(df);
            write(out.resolve("run1.json"), fitted.transform(df).collectAsList());

            // saved (its metadata written by an executor through Hadoop's FileSystem), loaded, run again
            String saved = out.resolve("pipeline").toUri().toString();
            fitted.write().overwrite().save(saved);
            write(out.resolve("run2.json"), PipelineModel.load(saved).transform(df).collectAsList());

            // a model that was not shipped: the task's error must say how to ship it
            String error = "";
            try {
                new TextClassifier().setModel("sparkfiles:not-shipped").setInputCol("text").setOutputCol("x").transform(df).count();
            } catch (Exception e) {
                error = String.valueOf(e.getMessage());
            }
            Files.writeString(out.resolve("unshipped-error.txt"), error);

            // what the executors run on: their JDK and Hadoop client
            List<String> executors = jsc.parallelize(IntStream.range(0, 4 * partitions).boxed().toList(), 4 * partitions)
                    .map(i -> SparkEnv.get().executorId() + "\t" + Runtime.version().feature() + "\t" + VersionInfo.getVersion())
                    .distinct().collect();
            Files.write(out.resolve("executors.tsv"), executors);
        } finally {
            spark.stop();
        }
    }

    /** id, words (word, begin, end, sentence, vector bits), sentence vector bits, labels (label, score bits); by id. */
    private static void write(Path file, List<Row> result) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ArrayNode all = json.createArrayNode();
        List<Row> sorted = new ArrayList<>(result);
        sorted.sort(Comparator.comparingInt(r -> r.getInt(0)));
        for (Row r : sorted) {
            ObjectNode o = all.addObject();
            o.put("id", r.getInt(0));
            ArrayNode words = o.putArray("words");
            for (Row w : r.<Row>getList(r.fieldIndex("words"))) {
                ObjectNode wo = words.addObject();
                wo.put("word", w.getString(0)).put("begin", w.getInt(1)).put("end", w.getInt(2)).put("sentence", w.getInt(3));
                bits(wo.putArray("bits"), w.getList(4));
            }
            bits(o.putArray("sentence"), r.getList(r.fieldIndex("sentence")));
            ArrayNode labels = o.putArray("labels");
            for (Row l : r.<Row>getList(r.fieldIndex("labels"))) labels.addObject().put("label", l.getString(0)).put("bits", Float.floatToRawIntBits(l.getFloat(1)));
        }
        json.writeValue(file.toFile(), all);
    }

    private static void bits(ArrayNode into, List<Float> values) {
        for (Float f : values) into.add(Float.floatToRawIntBits(f));
    }
}
