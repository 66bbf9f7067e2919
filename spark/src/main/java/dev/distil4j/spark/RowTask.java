package dev.distil4j.spark;

import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.List;

/**
 * What a stage does on the executors, as it travels in the task closure: the stage's settings only
 * (model spec, options, column positions), never model bytes; the model comes from
 * {@link ModelCache} on the executor.
 *
 * @param <I> one row's input (a text, a pair, a token list)
 */
abstract class RowTask<I> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How a failing row is handled: Spark ML's {@code handleInvalid} values. */
    enum Invalid { ERROR, SKIP, KEEP }

    final String stage;
    final String modelSpec;
    final String tokenizerSpec;
    final int threads;
    final int batchSize;
    final int window;
    final Invalid invalid;

    RowTask(Distil4jTransformer<?> t) {
        this.stage = t.getClass().getSimpleName() + " (" + t.uid() + ")";
        this.modelSpec = t.getModel();
        this.tokenizerSpec = t.getTokenizerFile();
        this.threads = t.getComputeThreads();
        this.batchSize = t.getBatchSize();
        this.window = Math.max(t.getSortWindow(), t.getBatchSize());
        this.invalid = Invalid.valueOf(t.getHandleInvalid().toUpperCase(java.util.Locale.ROOT));
    }

    /** What the model must be loaded as. */
    abstract ModelCache.Kind kind();

    /** The row's input, or null when it has none (a null column): then the output is null, with no model call. */
    abstract I input(Row row);

    /** For messages: the input, shortened. */
    abstract String describe(I input);

    /** Binds the task to the executor's model; called once per partition that has rows. */
    abstract Runner<I> runner(ModelCache.Loaded model);

    /** Runs a batch of inputs through the model. */
    @FunctionalInterface
    interface Runner<I> {
        /** One output (a Spark external value: Row, array, List, ...) per input, in order. */
        List<Object> run(List<I> inputs);
    }

    static String shorten(String s) {
        if (s == null) return "null";
        String t = s.length() > 60 ? s.substring(0, 57) + "..." : s;
        return "\"" + t.replace("\n", "\\n") + "\" (" + s.length() + " chars)";
    }
}
