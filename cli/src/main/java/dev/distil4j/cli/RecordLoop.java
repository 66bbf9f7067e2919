package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.source.Terminals;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The loop of every pipeline command: read records, parse each into a task input, run them in
 * batches, write the results in input order. A bad record (unreadable, missing a field, refused by
 * the pipeline) is reported on stderr as {@code distil4j <command>: line N: <why>} and in the
 * output as an error placeholder; the others go on, unless {@code --fail-fast}. When a batch is
 * refused as a whole (an {@link IllegalArgumentException} or {@link UserException}), its inputs are
 * run one by one so that only the bad ones fail. Other exceptions are internal errors and stop
 * everything.
 *
 * <pre>{@code
 * int code = RecordLoop.run(name, records, io, err, (Record r) -> r.text("text"),
 *         texts -> pipeline.run(texts), RecordLoop.jsonLines(writer));
 * }</pre>
 *
 * @param <T> what a record parses into
 * @param <R> what a batch produces per input
 */
final class RecordLoop<T, R> {
    /** Turns a record into a task input; throws {@link UserException} / {@link IllegalArgumentException} for bad ones. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(InputRecords.Record r);
    }

    /** Runs a batch of inputs; returns one result per input, in order. */
    @FunctionalInterface
    interface Runner<T, R> {
        List<R> run(List<T> batch);
    }

    /** Receives results and failures in input order. */
    interface Output<R> {
        void result(InputRecords.Record r, R result);

        void error(InputRecords.Record r, String message);

        /** Whether the results go to stdout (then, on the progress bar's terminal, the bar steps aside for each). */
        boolean toStdout();

        /**
         * Every record was read and answered: an {@code --output} file gets its content now. Not called
         * when the run stops early ({@code --fail-fast}, an exception): the file is then not written.
         */
        void complete();
    }

    /** Writes results as JSON lines, failures as {@code {"error", "line"}} placeholders. */
    static Output<JsonNode> jsonLines(JsonLinesWriter w) {
        return new Output<>() {
            @Override
            public void result(InputRecords.Record r, JsonNode result) {
                w.write(result);
            }

            @Override
            public void error(InputRecords.Record r, String message) {
                w.error(r, message);
            }

            @Override
            public boolean toStdout() {
                return w.toStdout();
            }

            @Override
            public void complete() {
                w.commit();
            }
        };
    }

    private final String command;
    private final IoOptions io;
    private final PrintWriter err;
    private final Parser<T> parser;
    private final Runner<T, R> runner;
    private final Output<R> output;
    private final ProgressBar bar;
    /** Results go to the terminal the bar is drawn on: erase the bar before each. */
    private final boolean sharesTerminal;
    private long records;
    private long failed;

    private RecordLoop(String command, IoOptions io, PrintWriter err, Parser<T> parser, Runner<T, R> runner, Output<R> output,
                       ProgressBar bar) {
        this.command = command;
        this.io = io;
        this.err = err;
        this.parser = parser;
        this.runner = runner;
        this.output = output;
        this.bar = bar;
        this.sharesTerminal = output.toStdout() && Terminals.detect().stdout();
    }

    /** A parsed record, or the reason it failed. */
    private record Slot<T>(InputRecords.Record record, T item, String error) {}

    /**
     * Runs every record of {@code in}; returns the exit code: 0 when all succeeded, 2 when any failed.
     *
     * @param command the command's name, for messages
     */
    static <T, R> int run(String command, InputRecords in, IoOptions io, PrintWriter err,
                          Parser<T> parser, Runner<T, R> runner, Output<R> output) {
        ProgressBar bar = new ProgressBar(err, command, in::bytesRead, in.totalBytes(), io.showProgress(in));
        RecordLoop<T, R> loop = new RecordLoop<>(command, io, err, parser, runner, output, bar);
        List<Slot<T>> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop && in.hasNext()) {
            InputRecords.Record r = in.next();
            loop.records++;
            Slot<T> s;
            if (!r.ok()) {
                s = new Slot<>(r, null, r.error());
            } else {
                try {
                    s = new Slot<>(r, parser.parse(r), null);
                } catch (UserException | IllegalArgumentException e) {
                    s = new Slot<>(r, null, Errors.message(e));
                }
            }
            batch.add(s);
            if (s.error() != null && io.failFast) stop = true;
            long items = batch.stream().filter(x -> x.error() == null).count();
            if (stop || items >= io.batchSize) {
                stop |= loop.flush(batch);
                batch.clear();
            }
            bar.update(loop.records);
        }
        stop |= loop.flush(batch);
        bar.finish(loop.records);
        if (!stop) output.complete();
        if (loop.failed > 0) {
            err.println("distil4j " + command + ": " + loop.failed + " of " + loop.records + " record" + (loop.records == 1 ? "" : "s")
                    + " failed" + (stop ? "; stopped at the first (--fail-fast)" + (output.toStdout() ? "" : ", --output not written") : ""));
        }
        err.flush();
        return loop.failed > 0 ? Errors.BAD_INPUT : 0;
    }

    /** Runs the batch's good items and writes every slot in order; true when fail-fast must stop. */
    private boolean flush(List<Slot<T>> batch) {
        List<T> items = new ArrayList<>();
        for (Slot<T> s : batch) if (s.error() == null) items.add(s.item());
        List<Object> results = new ArrayList<>();
        if (!items.isEmpty()) {
            try {
                List<R> rs = runner.run(items);
                if (rs.size() != items.size()) throw new IllegalStateException(items.size() + " inputs gave " + rs.size() + " results");
                results.addAll(rs);
            } catch (UserException | IllegalArgumentException e) {
                // find the bad ones: one by one
                for (T item : items) {
                    try {
                        results.add(runner.run(List.of(item)).get(0));
                    } catch (UserException | IllegalArgumentException e1) {
                        results.add(new Failure(Errors.message(e1)));
                    }
                }
            }
        }
        int k = 0;
        for (Slot<T> s : batch) {
            String error = s.error();
            Object res = null;
            if (error == null) {
                res = results.get(k++);
                if (res instanceof Failure f) error = f.message();
            }
            if (error != null || sharesTerminal) bar.clear();
            if (error != null) {
                failed++;
                err.println("distil4j " + command + ": " + s.record().where() + ": " + error);
                output.error(s.record(), error);
                if (io.failFast) return true;
            } else {
                @SuppressWarnings("unchecked")
                R r = (R) res;
                output.result(s.record(), r);
            }
        }
        return false;
    }

    private record Failure(String message) {}
}
