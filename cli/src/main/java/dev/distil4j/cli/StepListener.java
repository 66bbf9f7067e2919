package dev.distil4j.cli;

import dev.distil4j.train.trainer.TrainingListener;

import java.nio.file.Path;

/**
 * A train or distil listener whose log lines and bar are a {@link StepProgress}: what the commands call
 * between and after the steps, written once for both.
 */
interface StepListener extends TrainingListener {
    /** The bar and log lines on stderr. */
    StepProgress progress();

    @Override
    default void onSave(Path checkpoint) {
        log("saved " + checkpoint);
    }

    @Override
    default void onPass(Pass pass) {
        progress().pass(pass);
    }

    default void log(String line) {
        progress().log(line);
    }

    /** Ends the bar's line, so that what follows starts on a fresh one. */
    default void clearBar() {
        progress().clearBar();
    }

    /** @see StepProgress#stopped */
    default int stopped(int step, Path lastCheckpoint) {
        return progress().stopped(step, lastCheckpoint);
    }
}
