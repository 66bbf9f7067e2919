package dev.distil4j.cli;

import dev.distil4j.train.distill.Distiller;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * What {@code distil} shows while it runs: a progress bar on stderr with each loss term (averaged over the
 * last steps), the learning rate, the distillation tokens/s and the ETA, and log lines unless quiet.
 */
final class DistilProgress implements Distiller.Listener {
    private static final long REDRAW_NANOS = 250_000_000L;
    private static final int WINDOW = 20;

    private final PrintWriter err;
    private final boolean bar;
    private final boolean quiet;
    private final ArrayDeque<Losses> recent = new ArrayDeque<>();
    private long stepNanos, lastDraw, tokens;
    private int startStep;
    private boolean drawn;

    DistilProgress(PrintWriter err, boolean bar, boolean quiet) {
        this.err = err;
        this.bar = bar;
        this.quiet = quiet;
    }

    @Override
    public void onTrainBegin(Plan plan) {
        startStep = plan.startStep();
        log(String.format(Locale.ROOT, "%d steps (%d per epoch, %d batches per epoch), warmup %d%s", plan.maxSteps(),
                plan.stepsPerEpoch(), plan.batchesPerEpoch(), plan.warmupSteps(),
                plan.startStep() > 0 ? ", resuming after step " + plan.startStep() : ""));
    }

    @Override
    public void onLosses(Losses l) {
        recent.addLast(l);
        if (recent.size() > WINDOW) recent.removeFirst();
    }

    @Override
    public void onStep(Step s) {
        tokens += s.tokens();
        stepNanos += s.nanos();
        long now = System.nanoTime();
        if (!bar || (drawn && now - lastDraw < REDRAW_NANOS && s.step() < s.maxSteps())) return;
        lastDraw = now;
        double secs = Math.max(1e-9, stepNanos / 1e9);
        int done = s.step() - startStep;
        double eta = done == 0 ? 0 : secs / done * (s.maxSteps() - s.step());
        err.print(String.format(Locale.ROOT, "\rstep %d/%d  epoch %.2f  loss %.4f  ce %.4f  mlm %.4f  mse %.4f  cos %.4f  lr %.2e  %.0f tokens/s  ETA %s   ",
                s.step(), s.maxSteps(), s.epoch(), mean(0), mean(1), mean(2), mean(3), mean(4), s.learningRate(),
                tokens / secs, TrainProgress.duration(eta)));
        err.flush();
        drawn = true;
    }

    private double mean(int term) {
        return recent.stream().mapToDouble(l -> switch (term) {
            case 0 -> l.loss();
            case 1 -> l.ce();
            case 2 -> l.mlm();
            case 3 -> l.mse();
            default -> l.cos();
        }).average().orElse(Double.NaN);
    }

    @Override
    public void onSave(Path checkpoint) {
        log("saved " + checkpoint);
    }

    void log(String line) {
        if (quiet) return;
        clearBar();
        err.println("distil4j distil: " + line);
        err.flush();
    }

    void clearBar() {
        if (!drawn) return;
        err.println();
        err.flush();
        drawn = false;
    }
}
