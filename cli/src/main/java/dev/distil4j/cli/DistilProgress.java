package dev.distil4j.cli;

import dev.distil4j.train.distill.Distiller;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * What {@code distil} shows while it runs: a progress bar on stderr with each loss term (averaged over the
 * last steps), the learning rate, the distillation tokens/s and the ETA, and log lines unless quiet.
 * The bar and lines are {@link StepProgress}'s, as train's.
 */
final class DistilProgress implements Distiller.Listener, StepListener {
    private final StepProgress progress;
    private final ArrayDeque<Losses> recent = new ArrayDeque<>();

    /** @param showBar {@code --progress}/{@code --no-progress}, or null for the default (on a terminal) */
    DistilProgress(PrintWriter err, boolean quiet, Boolean showBar) {
        this.progress = new StepProgress(err, "distil", quiet, showBar);
    }

    @Override
    public void onTrainBegin(Plan plan) {
        progress.begin(plan, "batches per epoch");
    }

    @Override
    public void onLosses(Losses l) {
        recent.addLast(l);
        if (recent.size() > StepProgress.LOSS_WINDOW) recent.removeFirst();
    }

    @Override
    public void onStep(Step s) {
        progress.step(s, () -> String.format(Locale.ROOT, "loss %.4f  ce %.4f  mlm %.4f  mse %.4f  cos %.4f",
                mean(0), mean(1), mean(2), mean(3), mean(4)));
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
    public StepProgress progress() {
        return progress;
    }
}
