package dev.distil4j.cli;

/**
 * The reader of the command's output went away ({@code distil4j ... | head}): the command stops
 * at once, quietly, with exit code {@link #EXIT} (128 + SIGPIPE), as a Unix tool killed by SIGPIPE
 * does. The JVM ignores SIGPIPE, so the write fails instead, and without this the command would go
 * on computing results nobody reads.
 */
final class BrokenPipe extends RuntimeException {
    static final int EXIT = 141;

    BrokenPipe(String what) {
        super(what + ": broken pipe", null, false, false);
    }
}
