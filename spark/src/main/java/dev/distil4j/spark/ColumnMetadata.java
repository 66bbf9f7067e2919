package dev.distil4j.spark;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Column metadata across a stage. A row encoder keeps the types of the columns but not their metadata,
 * and Spark NLP finds its columns by theirs ({@code annotatorType}, {@code ref}, {@code dimension}): so
 * after a {@code mapPartitions} every column gets back the metadata {@code schema} gives it, those the
 * stage passed through (another stage's annotations, Spark NLP's own) as well as its output.
 */
final class ColumnMetadata {
    private ColumnMetadata() {}

    static Dataset<Row> restore(Dataset<Row> data, StructType schema) {
        boolean any = false;
        Column[] cols = new Column[schema.fields().length];
        for (int i = 0; i < cols.length; i++) {
            StructField f = schema.fields()[i];
            Column c = data.col(quoted(f.name()));
            if (f.metadata().equals(Metadata.empty())) {
                cols[i] = c;
            } else {
                cols[i] = c.as(f.name(), f.metadata());
                any = true;
            }
        }
        return any ? data.select(cols) : data;
    }

    /** A column name as {@code Dataset.col} takes it literally (dots and backticks in names). */
    private static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
