package dev.distil4j.train.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a record came from. Examples carry it so that a problem found later (an unknown label while
 * encoding, a question the tokenizer cannot fit) still points at the file and line to fix.
 *
 * @param file the file as the caller named it
 * @param line 1-based line on which the record starts
 */
public record Origin(String file, int line) {
    public Origin {
        Objects.requireNonNull(file, "file");
        if (line < 1) {
            throw new IllegalArgumentException("line numbers start at 1, got " + line);
        }
    }

    public static Origin of(Path file, int line) {
        return new Origin(file.toString(), line);
    }

    /** {@code file:line}, the form editors and compilers use. */
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
