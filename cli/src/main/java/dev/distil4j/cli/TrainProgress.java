package dev.distil4j.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code train} shows while it runs: a progress bar on stderr (step, epoch, loss, learning rate,
 * tokens/s, ETA), one table row per evaluation on stdout (the header before the first), and log lines on
 * stderr (checkpoints written) unless quiet. The bar and lines are {@link StepProgress}'s, as distil's.
 */
final class TrainProgress implements StepListener {
    private final StepProgress progress;
    private final PrintStream out;
    private final ArrayDeque<Double> recent = new ArrayDeque<>();
    private List<String> columns;

    /**
     * @param command the subcommand that prefixes log lines
     * @param showBar {@code --progress}/{@code --no-progress}, or null for the default (on a terminal)
     */
    TrainProgress(PrintWriter err, PrintStream out, String command, boolean quiet, Boolean showBar) {
        this.progress = new StepProgress(err, command, quiet, showBar);
        this.out = out;
    }

    @Override
    public void onTrainBegin(Plan plan) {
        progress.begin(plan, "micro-batches");
    }

    @Override
    public void onStep(Step s) {
        recent.addLast(s.loss());
        if (recent.size() > StepProgress.LOSS_WINDOW) recent.removeFirst();
        progress.step(s, () -> String.format(Locale.ROOT, "loss %.4f",
                recent.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
    }

    @Override
    public void onTeacherFit(TeacherFit f) {
        progress.log(String.format(Locale.ROOT, "the teacher on the %d training sequences: accuracy %.4f, mean probability of "
                + "its top label %.4f (at temperature %s: %.4f)", f.examples(), f.accuracy(), f.meanTop(),
                java.math.BigDecimal.valueOf(f.temperature()).stripTrailingZeros().toPlainString(), f.meanTopAtT()));
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
    public StepProgress progress() {
        return progress;
    }
}
