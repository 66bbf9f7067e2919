package dev.distil4j.cli;

import dev.distil4j.train.trainer.Trainer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --resume [CHECKPOINT]} as train and distil read it (both write Trainer-style checkpoints), so
 * that the two check it alike and with the same messages.
 */
final class ResumeOption {
    private ResumeOption() {
    }

    /**
     * @param resume the option's value: null when not given, "latest" for the newest checkpoint in {@code output}
     * @return the checkpoint to continue from, or null when {@code resume} is null
     * @throws UserException when there is no such checkpoint
     */
    static Path checkpoint(String resume, Path output) {
        if (resume == null) return null;
        Path checkpoint = resume.equals("latest") ? Trainer.latestCheckpoint(output) : Path.of(resume);
        if (checkpoint == null) throw new UserException("--resume: no checkpoint in " + output + " to continue from");
        if (!Files.isRegularFile(checkpoint.resolve("trainer_state.json"))) {
            throw new UserException("--resume: " + checkpoint + " is not a checkpoint (no trainer_state.json)");
        }
        return checkpoint;
    }
}
