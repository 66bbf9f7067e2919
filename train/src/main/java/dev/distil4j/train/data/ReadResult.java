package dev.distil4j.train.data;

import java.util.List;

/**
 * What a reader read: the good records in file order, and, when the caller asked to skip bad records,
 * one message ({@code file:line: ...}) per record left out, so that skipping never goes unnoticed.
 */
public record ReadResult<T>(List<T> examples, List<String> skipped) {
    public ReadResult {
        examples = List.copyOf(examples);
        skipped = List.copyOf(skipped);
    }

    public int size() {
        return examples.size();
    }

    /** How many records were left out. */
    public int skippedCount() {
        return skipped.size();
    }
}
