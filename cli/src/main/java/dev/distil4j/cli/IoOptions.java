package dev.distil4j.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    @Option(names = "--encoding-errors", paramLabel = "HOW", defaultValue = "strict",
            description = "Input that is not UTF-8 text: strict (a bad record, named by its line) or replace (bad bytes read as "
                    + "U+FFFD, as Python's errors=\"replace\"). UTF-16 input is refused either way. Default: ${DEFAULT-VALUE}.")
    String encodingErrors;

    @Option(names = "--max-record-size", paramLabel = "SIZE", defaultValue = "16M",
            description = "The largest input record (a line, a CSV record, a --context-file): a larger one is a bad record instead "
                    + "of exhausting memory. Bytes, or with K, M or G; at most 1G. Default: ${DEFAULT-VALUE}.")
    String maxRecordSize;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the results to FILE instead of stdout: all at once when the run is done (a run that fails or "
                    + "stops leaves FILE as it was). FILE must not be an input.")
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
        return InputRecords.open(input, stdin, reading());
    }

    /** How files and stdin are read, from the options. */
    InputRecords.Reading reading() {
        return new InputRecords.Reading(InputRecords.Format.parse(inputFormat), Utf8Text.Mode.parse(encodingErrors),
                (int) Sizes.parse("--max-record-size", maxRecordSize, 1L << 30));
    }

    /**
     * Where the results go: {@code --output} (an {@link OutputFile}: never one of the files read), else stdout.
     *
     * @param alsoRead files the command reads besides the records (e.g. {@code --context-file})
     */
    JsonLinesWriter output(OutputStream stdout, InputRecords records, Path... alsoRead) {
        List<Path> inputs = new ArrayList<>(records.files());
        for (Path p : alsoRead) if (p != null) inputs.add(p);
        return JsonLinesWriter.open(output, stdout, inputs);
    }

    /**
     * A whole text file given by {@code option} (e.g. {@code --context-file}), read as records are:
     * UTF-8 as {@code --encoding-errors} says, at most {@code --max-record-size}.
     */
    String readText(String option, Path file) {
        if (!Files.isRegularFile(file)) throw new UserException(option + " " + file + " is not a file");
        InputRecords.Reading r = reading();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(r.maxRecordBytes() + 1);
        } catch (IOException e) {
            throw new UserException("cannot read " + option + " " + file + ": " + e.getMessage());
        }
        if (bytes.length > r.maxRecordBytes()) {
            throw new UserException(option + " " + file + " is larger than " + Sizes.format(r.maxRecordBytes())
                    + ", the limit for one record (--max-record-size)");
        }
        return new Utf8Text(r.encodingErrors()).decodeAll(bytes, option + " " + file);
    }

    /** Whether to draw a progress bar for these records. */
    boolean showProgress(InputRecords in) {
        if (progress != null) return progress;
        return ProgressBar.defaultFor(in.totalBytes() >= 0);
    }
}
