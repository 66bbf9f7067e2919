package dev.distil4j.train.data;

import java.util.ArrayList;
import java.util.List;

/** Either throws a record's error or, when the caller chose to skip bad records, counts it. */
final class BadRecords {
    private final boolean skip;
    private final List<String> skipped = new ArrayList<>();

    BadRecords(boolean skip) {
        this.skip = skip;
    }

    void report(DataFormatException e) {
        if (!skip) {
            throw e;
        }
        skipped.add(e.getMessage());
    }

    <T> ReadResult<T> result(List<T> examples) {
        return new ReadResult<>(examples, skipped);
    }
}
