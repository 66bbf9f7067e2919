package dev.distil4j.spark;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/**
 * What every distil4j Spark ML stage shares: the model, batching, threads and what to do with rows
 * that cannot be processed. A stage appends one output column; the input columns stay as they are.
 *
 * <p><b>Execution.</b> {@link #transform} is one {@code mapPartitions}: each partition reads
 * {@code sortWindow} rows at a time and runs their inputs through the model in one call, sorted by
 * length and padded in batches of {@code batchSize}; rows come out in their original order. The
 * model is resolved and loaded on the executor (see {@link #setModel}), once per executor JVM, and
 * shared by its tasks; the task closure holds only this stage's settings.
 *
 * <p><b>Persistence.</b> {@code save}/{@code load} (and saving a {@code Pipeline} or
 * {@code PipelineModel} holding the stage) write the parameters, the model spec among them: the
 * model itself is not copied, and is resolved again wherever the stage is loaded.
 *
 * @param <T> the concrete stage, so that setters chain
 */
public abstract class Distil4jTransformer<T extends Distil4jTransformer<T>> extends Transformer implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;

    private final Param<String> model;
    private final Param<String> tokenizerFile;
    private final Param<String> outputCol;
    private final IntParam batchSize;
    private final IntParam sortWindow;
    private final IntParam computeThreads;
    private final Param<String> handleInvalid;

    protected Distil4jTransformer(String uid, String defaultOutputCol) {
        this.uid = uid;
        model = new Param<>(this, "model", "the model: sparkfiles:NAME for a zip shipped with spark-submit --archives model.zip#NAME, a "
                + "Hadoop URI (hdfs://, s3a://, file:// on a shared file system; copied once per executor), a directory in Hugging "
                + "Face layout on every executor, a Hugging Face hub id (org/name[@revision], read from the executors' hub cache or "
                + "downloaded) or maven:group:artifact:version");
        tokenizerFile = new Param<>(this, "tokenizerFile", "a tokenizer.json to use instead of the model directory's tokenizer "
                + "files (a path, or sparkfiles:NAME); empty for the model's own");
        outputCol = new Param<>(this, "outputCol", "output column name");
        batchSize = new IntParam(this, "batchSize", "sequences per forward pass (padded to the longest of the batch)",
                ParamValidators.gtEq(1));
        sortWindow = new IntParam(this, "sortWindow", "rows read at a time per partition; their inputs are sorted by length "
                + "before batching, so a larger window pads less (at least batchSize)", ParamValidators.gtEq(1));
        computeThreads = new IntParam(this, "computeThreads", "threads one task's forward passes use; 0 = spark.task.cpus "
                + "(Spark already runs one task per core)", ParamValidators.gtEq(0));
        handleInvalid = new Param<>(this, "handleInvalid", "rows the model refuses (e.g. fill-mask without a mask, a text "
                + "longer than the model where the task does not truncate): 'error' fails the task naming the row, 'keep' "
                + "gives a null output, 'skip' drops the row. Null inputs always give a null output",
                ParamValidators.inArray(new String[] {"error", "keep", "skip"}));
        setDefault(tokenizerFile, "");
        setDefault(outputCol, defaultOutputCol);
        setDefault(batchSize, 32);
        setDefault(sortWindow, 256);
        setDefault(computeThreads, 0);
        setDefault(handleInvalid, "error");
    }

    @Override
    public String uid() {
        return uid;
    }

    @SuppressWarnings("unchecked")
    protected final T self() {
        return (T) this;
    }

    // ------------------------------------------------------------------ params

    public final Param<String> model() {
        return model;
    }

    public final Param<String> tokenizerFile() {
        return tokenizerFile;
    }

    public final Param<String> outputCol() {
        return outputCol;
    }

    public final IntParam batchSize() {
        return batchSize;
    }

    public final IntParam sortWindow() {
        return sortWindow;
    }

    public final IntParam computeThreads() {
        return computeThreads;
    }

    public final Param<String> handleInvalid() {
        return handleInvalid;
    }

    /**
     * The model: a directory, a hub id ({@code distilbert-base-uncased}, {@code org/name@rev}) or
     * {@code maven:group:artifact:version}, resolved on each executor (see the parameter's doc).
     */
    public T setModel(String value) {
        set(model, value);
        return self();
    }

    public T setTokenizerFile(String value) {
        set(tokenizerFile, value == null ? "" : value);
        return self();
    }

    public T setOutputCol(String value) {
        set(outputCol, value);
        return self();
    }

    public T setBatchSize(int value) {
        set(batchSize, value);
        return self();
    }

    public T setSortWindow(int value) {
        set(sortWindow, value);
        return self();
    }

    public T setComputeThreads(int value) {
        set(computeThreads, value);
        return self();
    }

    /** {@code "error"} (default), {@code "keep"} or {@code "skip"}. */
    public T setHandleInvalid(String value) {
        set(handleInvalid, value);
        return self();
    }

    public String getModel() {
        return isDefined(model) ? getOrDefault(model) : null;
    }

    public String getTokenizerFile() {
        return getOrDefault(tokenizerFile);
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    public int getBatchSize() {
        return (Integer) getOrDefault(batchSize);
    }

    public int getSortWindow() {
        return (Integer) getOrDefault(sortWindow);
    }

    public int getComputeThreads() {
        return (Integer) getOrDefault(computeThreads);
    }

    public String getHandleInvalid() {
        return getOrDefault(handleInvalid);
    }

    // ------------------------------------------------------------------ transform

    /** The output column's type (with its metadata). */
    abstract StructField outputField();

    /** Checks the input columns; throws {@link IllegalArgumentException} naming the column and the problem. */
    abstract void checkInputs(StructType schema);

    /** The executor-side work, made from the current parameters and the input schema. */
    abstract RowTask<?> task(StructType schema);

    @Override
    public StructType transformSchema(StructType schema) {
        String m = getModel();
        if (m == null || m.isBlank()) {
            throw new IllegalArgumentException(name() + ": no model set; call setModel(\"distilbert-base-uncased\"), a model "
                    + "directory, or maven:group:artifact:version");
        }
        checkInputs(schema);
        String out = getOutputCol();
        if (Arrays.asList(schema.fieldNames()).contains(out)) {
            throw new IllegalArgumentException(name() + ": output column '" + out + "' already exists; choose another with setOutputCol");
        }
        return schema.add(outputField());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        RuntimeCheck.warnOnce();
        PartitionFunction<?> fn = new PartitionFunction<>(task(dataset.schema()));
        // the row encoder keeps types but not column metadata (Spark NLP's annotatorType): put it back on every column
        return ColumnMetadata.restore(dataset.toDF().mapPartitions(fn, Encoders.row(out)), out);
    }

    @Override
    public T copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public String toString() {
        return name() + " (model " + getModel() + ")";
    }

    final String name() {
        return getClass().getSimpleName() + " " + uid;
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /** The index of an input column of one of the given types, or an exception that says what is wrong. */
    final int column(StructType schema, String param, String col, DataType... types) {
        if (col == null || col.isEmpty()) throw new IllegalArgumentException(name() + ": " + param + " is not set");
        if (!Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException(name() + ": input column '" + col + "' (" + param + ") not found; the DataFrame has "
                    + Arrays.toString(schema.fieldNames()));
        }
        StructField f = schema.apply(col);
        for (DataType t : types) {
            if (f.dataType().sameType(t)) return schema.fieldIndex(col);
        }
        StringBuilder want = new StringBuilder();
        for (DataType t : types) want.append(want.length() > 0 ? " or " : "").append(t.simpleString());
        throw new IllegalArgumentException(name() + ": input column '" + col + "' (" + param + ") must be " + want + ", but it is "
                + f.dataType().simpleString());
    }

    static String newUid(String prefix) {
        return Identifiable.randomUID(prefix);
    }
}
