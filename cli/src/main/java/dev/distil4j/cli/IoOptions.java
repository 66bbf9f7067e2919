package dev.distil4j.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The options every pipeline command shares (a picocli {@code @Mixin}): where records come from,
 * where results go, batching, bad records, progress.
 */
final class IoOptions {
    @Option(names = {"-i", "--input"}, paramLabel = "FILE",
            description = "Read records from FILE ('-' for stdin) instead of the arguments. With neither, stdin is read.")
    Path input;

    @Option(names = "--input-format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "auto (by extension, else by the first line), jsonl, csv (header row) or lines. Default: ${DEFAULT-VALUE}.")
    String inputFormat;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the results to FILE instead of stdout.")
    Path output;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Inputs per forward pass (padded together). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--fail-fast", description = "Stop at the first bad record (default: report it with its line number and go on).")
    boolean failFast;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on stderr. Default: for --input files, when stderr is a terminal.")
    Boolean progress;

    /** The records: the arguments when there are any, else {@code --input} (or stdin). */
    InputRecords open(List<String> arguments, InputStream stdin) {
        return open(arguments, null, stdin);
    }

    /** {@link #open(List, InputStream)}, where {@code textPair} (a {@code --text-pair} option, or null) pairs the one TEXT argument. */
    InputRecords open(List<String> arguments, String textPair, InputStream stdin) {
        if (batchSize < 1) throw new UserException("--batch-size must be at least 1, got " + batchSize);
        boolean hasArgs = arguments != null && !arguments.isEmpty();
        if (hasArgs && input != null) throw new UserException("give texts as arguments or --input, not both");
        if (textPair != null) {
            if (!hasArgs || arguments.size() != 1) throw new UserException("--text-pair needs exactly one TEXT argument");
            ObjectNode o = JsonNodeFactory.instance.objectNode().put("text", arguments.get(0)).put("text_pair", textPair);
            return InputRecords.ofRecords(List.of(new InputRecords.Record(1, "argument 1", o, null)));
        }
        if (hasArgs) return InputRecords.ofArguments(arguments);
        return InputRecords.open(input, stdin, InputRecords.Format.parse(inputFormat));
    }

    /** Whether to draw a progress bar for these records. */
    boolean showProgress(InputRecords in) {
        if (progress != null) return progress;
        return ProgressBar.defaultFor(in.totalBytes() >= 0);
    }
}
