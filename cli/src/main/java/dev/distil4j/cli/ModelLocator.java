package dev.distil4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Turns a {@code --model} argument into a model directory. */
final class ModelLocator {
    private ModelLocator() {}

    static Path resolve(String spec) {
        Path p = Path.of(spec);
        if (Files.isDirectory(p)) return p;
        throw new UserException("model \"" + spec + "\" not found: not a directory");
    }
}
