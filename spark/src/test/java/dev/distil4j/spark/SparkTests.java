package dev.distil4j.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/** One local[2] Spark session for all tests of this JVM (starting one takes seconds). */
final class SparkTests {
    private SparkTests() {}

    static synchronized SparkSession spark() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("distil4j-spark tests")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.adaptive.enabled", "false")
                .getOrCreate();
    }

    /** A DataFrame with one string column {@code text}, in {@code partitions} partitions. */
    static Dataset<Row> texts(List<String> texts, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (String t : texts) rows.add(RowFactory.create(t));
        StructType schema = new StructType().add("text", DataTypes.StringType, true);
        return spark().createDataFrame(rows, schema).repartition(partitions);
    }

    /** Like {@link #texts} but with an id column, so the order can be restored after a shuffle. */
    static Dataset<Row> numbered(List<String> texts, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) rows.add(RowFactory.create(i, texts.get(i)));
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("text", DataTypes.StringType, true);
        return spark().createDataFrame(rows, schema).repartition(partitions);
    }

    static float[] floats(List<Float> list) {
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i);
        return out;
    }
}
