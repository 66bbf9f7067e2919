package dev.distil4j.cli;

import dev.distil4j.train.trainer.TrainingListener.Pass;
import dev.distil4j.train.trainer.TrainingListener.Plan;
import dev.distil4j.train.trainer.TrainingListener.Step;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The step progress bar and log lines on stderr that {@link TrainProgress} and {@link DistilProgress} share:
 * they differ only in the loss terms the bar shows and in what else they print, so the timing, tokens/s, ETA,
 * redraw and line handling live here once.
 */
final class StepProgress {
    private static final long REDRAW_NANOS = 250_000_000L;
    /** Steps the shown losses are averaged over: one step's loss jumps about too much to read. */
    static final int LOSS_WINDOW = 20;

    private final PrintWriter err;
    private final String prefix;
    private final boolean bar;
    private final boolean quiet;
    /** Time in training steps (evaluations and checkpoints left out, so that tokens/s and the ETA stay honest). */
    private long stepNanos, lastDraw, tokens;
    private int startStep;
    private boolean drawn;
    /** The pass being drawn (the teacher's logits, an evaluation): when it started, how much it had done. */
    private long passStart;
    private int passDone = Integer.MAX_VALUE;

    /**
     * @param command  the subcommand that prefixes log lines ({@code distil4j COMMAND: ...})
     * @param progress {@code --progress}/{@code --no-progress}, or null for the default (on a terminal)
     */
    StepProgress(PrintWriter err, String command, boolean quiet, Boolean progress) {
        this.err = err;
        this.prefix = "distil4j " + command + ": ";
        this.bar = !quiet && (progress != null ? progress : ProgressBar.defaultFor(true));
        this.quiet = quiet;
    }

    /** Notes where the run starts and logs its plan; {@code batches} names what {@code batchesPerEpoch} counts. */
    void begin(Plan plan, String batches) {
        startStep = plan.startStep();
        log(String.format(Locale.ROOT, "%d steps (%d per epoch, %d %s), warmup %d%s", plan.maxSteps(),
                plan.stepsPerEpoch(), plan.batchesPerEpoch(), batches, plan.warmupSteps(),
                plan.startStep() > 0 ? ", resuming after step " + plan.startStep() : ""));
    }

    /**
     * Counts the step and redraws the bar when due (at most four times a second, and at the last step).
     *
     * @param losses what the bar shows between the epoch and the learning rate; only asked for when drawing
     */
    void step(Step s, Supplier<String> losses) {
        tokens += s.tokens();
        stepNanos += s.nanos();
        long now = System.nanoTime();
        if (!bar || (drawn && now - lastDraw < REDRAW_NANOS && s.step() < s.maxSteps())) return;
        lastDraw = now;
        double secs = Math.max(1e-9, stepNanos / 1e9);
        int done = s.step() - startStep;
        double eta = done == 0 ? 0 : secs / done * (s.maxSteps() - s.step());
        err.print(String.format(Locale.ROOT, "\rstep %d/%d  epoch %.2f  %s  lr %.2e  %.0f tokens/s  ETA %s   ",
                s.step(), s.maxSteps(), s.epoch(), losses.get(), s.learningRate(), tokens / secs, duration(eta)));
        err.flush();
        drawn = true;
    }

    /**
     * Shows a pass over data between steps on the bar (sequences done, rate, ETA); when it ends the bar is
     * cleared, and the teacher's pass, minutes long on real data, gets a log line.
     */
    void pass(Pass p) {
        long now = System.nanoTime();
        if (p.done() <= passDone) passStart = now; // a new pass (its first batch is not timed)
        passDone = p.done();
        boolean end = p.done() >= p.total();
        if (bar && (end || !drawn || now - lastDraw >= REDRAW_NANOS)) {
            lastDraw = now;
            double secs = (now - passStart) / 1e9, rate = secs > 0 ? p.done() / secs : 0;
            String eta = rate > 0 ? "  ETA " + duration((p.total() - p.done()) / rate) : "";
            err.print(String.format(Locale.ROOT, "\r%s %d/%d sequences%s   ", p.what(), p.done(), p.total(), eta));
            err.flush();
            drawn = true;
        }
        if (!end) return;
        passDone = Integer.MAX_VALUE;
        if (p.what().equals("teacher")) {
            log(String.format(Locale.ROOT, "the teacher's logits of %d sequences in %s", p.total(), duration((now - passStart) / 1e9)));
        } else if (drawn) {
            err.print("\r" + " ".repeat(80) + "\r"); // erased: the evaluation's row follows
            err.flush();
            drawn = false;
        }
    }

    /** The steps' throughput so far, for the closing log line: evaluations and checkpoints left out. */
    String throughput() {
        double secs = stepNanos / 1e9;
        return String.format(Locale.ROOT, "%.0f tokens/s (%d tokens in %s of steps)", secs == 0 ? 0 : tokens / secs, tokens, duration(secs));
    }

    void log(String line) {
        if (quiet) return;
        clearBar();
        err.println(prefix + line);
        err.flush();
    }

    /** Says (even when quiet) how to continue a run stopped by a signal; returns the exit code for it. */
    int stopped(int step, Path lastCheckpoint) {
        clearBar();
        err.println(prefix + (lastCheckpoint == null ? "stopped before the first step; nothing to resume, run the command again"
                : "stopped after step " + step + "; continue with --resume (" + lastCheckpoint + ")"));
        err.flush();
        return StopOnSignal.EXIT_STOPPED;
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
