package dev.distil4j.cli;

import dev.distil4j.train.trainer.TrainingListener;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code train} shows while it runs: a progress bar on stderr (step, epoch, loss, learning rate,
 * tokens/s, ETA), one table row per evaluation on stdout (the header before the first), and log lines on
 * stderr (checkpoints written) unless quiet.
 */
final class TrainProgress implements TrainingListener {
    private static final long REDRAW_NANOS = 250_000_000L;
    /** Steps the shown loss is averaged over: one step's loss jumps about too much to read. */
    private static final int LOSS_WINDOW = 20;

    private final PrintWriter err;
    private final PrintStream out;
    private final boolean bar;
    private final boolean quiet;
    private final ArrayDeque<Double> recent = new ArrayDeque<>();
    /** Time in training steps (evaluations and checkpoints left out, so that tokens/s and the ETA stay honest). */
    private long stepNanos, lastDraw, tokens;
    private int startStep;
    private boolean drawn;
    private List<String> columns;

    TrainProgress(PrintWriter err, PrintStream out, boolean bar, boolean quiet) {
        this.err = err;
        this.out = out;
        this.bar = bar;
        this.quiet = quiet;
    }

    @Override
    public void onTrainBegin(Plan plan) {
        startStep = plan.startStep();
        log(String.format(Locale.ROOT, "%d steps (%d per epoch, %d micro-batches), warmup %d%s", plan.maxSteps(),
                plan.stepsPerEpoch(), plan.batchesPerEpoch(), plan.warmupSteps(),
                plan.startStep() > 0 ? ", resuming after step " + plan.startStep() : ""));
    }

    @Override
    public void onStep(Step s) {
        recent.addLast(s.loss());
        if (recent.size() > LOSS_WINDOW) recent.removeFirst();
        tokens += s.tokens();
        stepNanos += s.nanos();
        long now = System.nanoTime();
        if (!bar || (drawn && now - lastDraw < REDRAW_NANOS && s.step() < s.maxSteps())) return;
        lastDraw = now;
        double secs = Math.max(1e-9, stepNanos / 1e9);
        int done = s.step() - startStep;
        double eta = done == 0 ? 0 : secs / done * (s.maxSteps() - s.step());
        double loss = recent.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        err.print(String.format(Locale.ROOT, "\rstep %d/%d  epoch %.2f  loss %.4f  lr %.2e  %.0f tokens/s  ETA %s   ",
                s.step(), s.maxSteps(), s.epoch(), loss, s.learningRate(), tokens / secs, duration(eta)));
        err.flush();
        drawn = true;
    }

    @Override
    public void onEvaluate(Evaluation e) {
        clearBar();
        if (columns == null) {
            columns = new ArrayList<>(List.of("step", "epoch", "train_loss"));
            columns.addAll(e.metrics().keySet());
            StringBuilder h = new StringBuilder();
            for (String c : columns) h.append(String.format(Locale.ROOT, width(c), c));
            out.println(h);
        }
        StringBuilder row = new StringBuilder();
        for (String c : columns) row.append(String.format(Locale.ROOT, width(c), cell(c, e)));
        out.println(row);
        out.flush();
    }

    /** Right-aligned columns, the first without leading space. */
    private static String width(String column) {
        return column.equals("step") ? "%6s" : "%" + Math.max(12, column.length() + 2) + "s";
    }

    private static String cell(String column, Evaluation e) {
        return switch (column) {
            case "step" -> Integer.toString(e.step());
            case "epoch" -> String.format(Locale.ROOT, "%.2f", e.epoch());
            case "train_loss" -> e.trainLoss() == null ? "-" : String.format(Locale.ROOT, "%.4f", e.trainLoss());
            default -> number(column, e.metrics());
        };
    }

    private static String number(String key, Map<String, Double> m) {
        Double v = m.get(key);
        if (v == null) return "-";
        if (key.equals("examples") || key.endsWith("_total")) return Long.toString(v.longValue());
        return Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.4f", v);
    }

    @Override
    public void onSave(Path checkpoint) {
        log("saved " + checkpoint);
    }

    void log(String line) {
        if (quiet) return;
        clearBar();
        err.println("distil4j train: " + line);
        err.flush();
    }

    /** Ends the bar's line, so that what follows starts on a fresh one. */
    void clearBar() {
        if (!drawn) return;
        err.println();
        err.flush();
        drawn = false;
    }

    static String duration(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
