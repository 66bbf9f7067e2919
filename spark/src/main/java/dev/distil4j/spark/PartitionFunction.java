package dev.distil4j.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.TaskCompletionListener;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Runs a {@link RowTask} over one partition: reads a window of rows, sends the non-null inputs to the
 * model in one call (the pipelines sort a call's inputs by length and pad them in batches of
 * {@code batchSize}), and returns the rows in their original order with the output appended. The
 * model is taken from the executor's {@link ModelCache} when the first row with an input arrives
 * (an empty partition loads nothing) and released when the task ends.
 */
final class PartitionFunction<I> implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final RowTask<I> task;

    PartitionFunction(RowTask<I> task) {
        this.task = task;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return new Windows<>(task, rows);
    }

    private static final class Windows<I> implements Iterator<Row> {
        private final RowTask<I> task;
        private final Iterator<Row> source;
        private final ArrayDeque<Row> ready = new ArrayDeque<>();
        private ModelCache.Lease lease;
        private RowTask.Runner<I> runner;

        Windows(RowTask<I> task, Iterator<Row> source) {
            this.task = task;
            this.source = source;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty() && source.hasNext()) fill();
            if (ready.isEmpty() && TaskContext.get() == null) releaseModel(); // outside Spark: no completion listener
            return !ready.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            return ready.poll();
        }

        private void fill() {
            List<Row> rows = new ArrayList<>(task.window);
            while (rows.size() < task.window && source.hasNext()) rows.add(source.next());
            List<I> inputs = new ArrayList<>(rows.size());
            List<Integer> at = new ArrayList<>(rows.size());
            Object[] outputs = new Object[rows.size()];
            boolean[] drop = new boolean[rows.size()];
            for (int i = 0; i < rows.size(); i++) {
                I in;
                try {
                    in = task.input(rows.get(i));
                } catch (RuntimeException e) {
                    if (task.invalid == RowTask.Invalid.ERROR) throw invalid("a row " + rows.get(i), e);
                    drop[i] = task.invalid == RowTask.Invalid.SKIP;
                    continue;
                }
                if (in != null) {
                    inputs.add(in);
                    at.add(i);
                }
            }
            if (!inputs.isEmpty()) {
                List<Object> out = run(inputs, drop, at);
                for (int k = 0; k < at.size(); k++) outputs[at.get(k)] = out.get(k);
            }
            for (int i = 0; i < rows.size(); i++) {
                if (!drop[i]) ready.add(append(rows.get(i), outputs[i]));
            }
        }

        /** The whole window in one call; when it fails, row by row so that only the bad rows are affected. */
        private List<Object> run(List<I> inputs, boolean[] drop, List<Integer> at) {
            RowTask.Runner<I> r = runner();
            try {
                return r.run(inputs);
            } catch (RuntimeException whole) {
                List<Object> out = new ArrayList<>(inputs.size());
                for (int k = 0; k < inputs.size(); k++) {
                    try {
                        out.add(r.run(List.of(inputs.get(k))).get(0));
                    } catch (RuntimeException e) {
                        if (task.invalid == RowTask.Invalid.ERROR) throw invalid(task.describe(inputs.get(k)), e);
                        if (task.invalid == RowTask.Invalid.SKIP) drop[at.get(k)] = true;
                        out.add(null);
                    }
                }
                return out;
            }
        }

        private IllegalArgumentException invalid(String what, RuntimeException e) {
            String shown = what.length() > 200 ? what.substring(0, 197) + "..." : what;
            return new IllegalArgumentException("distil4j " + task.stage + ": cannot process " + shown + ": " + e.getMessage()
                    + ". Set handleInvalid to \"keep\" (null output) or \"skip\" (drop the row) to go on past such rows.", e);
        }

        private RowTask.Runner<I> runner() {
            if (runner != null) return runner;
            int threads = task.threads > 0 ? task.threads : TaskContext.get() != null ? Math.max(1, TaskContext.get().cpus()) : 1;
            ModelCache.Key key = new ModelCache.Key(ModelLocator.modelDirectory(task.modelSpec),
                    ModelLocator.tokenizerFile(task.tokenizerSpec), task.kind(), threads);
            lease = ModelCache.acquire(key);
            TaskContext ctx = TaskContext.get();
            if (ctx != null) ctx.addTaskCompletionListener((TaskCompletionListener) c -> releaseModel());
            try {
                runner = task.runner(lease.get());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("distil4j " + task.stage + ": " + e.getMessage(), e);
            }
            return runner;
        }

        private void releaseModel() {
            if (lease != null) {
                lease.close();
                lease = null;
                runner = null;
            }
        }

        private static Row append(Row row, Object value) {
            int n = row.length();
            Object[] values = new Object[n + 1];
            for (int i = 0; i < n; i++) values[i] = row.get(i);
            values[n] = value;
            return RowFactory.create(values);
        }
    }
}
