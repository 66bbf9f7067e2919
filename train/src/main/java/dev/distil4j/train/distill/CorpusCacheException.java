package dev.distil4j.train.distill;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A corpus cache file that cannot be trusted (wrong magic, truncated, checksum mismatch, ids out of range).
 * It is reported rather than silently rebuilt, because a damaged file usually means a disk or copy problem
 * the user should know about; deleting the file makes the next load rebuild it.
 */
public final class CorpusCacheException extends IOException {
    private final Path file;

    public CorpusCacheException(Path file, String reason) {
        super(file + ": corrupt distillation corpus cache (" + reason + "); delete the file to rebuild it");
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
