package dev.distil4j.cli;

import dev.distil4j.train.trainer.DataArguments;
import picocli.CommandLine.Option;

import java.util.List;

/** How {@code train} and {@code evaluate} read data files (a picocli {@code @Mixin}): columns, lengths, bad records. */
final class DataOptions {
    @Option(names = "--text-column", paramLabel = "NAME",
            description = "The text column of TSV/CSV/JSON Lines. Default: from the header, as run_glue.py: sentence1/sentence2, "
                    + "question/sentence, question1/question2 (pairs), else sentence, else text.")
    String textColumn;

    @Option(names = "--text-pair-column", paramLabel = "NAME", description = "The second text of a pair (with --text-column).")
    String textPairColumn;

    @Option(names = "--label-column", paramLabel = "NAME", defaultValue = "label", description = "The label column. Default: ${DEFAULT-VALUE}.")
    String labelColumn;

    @Option(names = "--max-length", paramLabel = "N", description = "Tokens per sequence, special tokens included. Default: 128 "
            + "(text classification, regression), the model's maximum (token classification), 384 (question answering); "
            + "never above the model's positions.")
    Integer maxLength;

    @Option(names = "--doc-stride", paramLabel = "N", defaultValue = "128",
            description = "Question answering: context tokens shared by the windows of a long context. Default: ${DEFAULT-VALUE}.")
    int docStride;

    @Option(names = "--skip-bad-records", description = "Leave bad records out (counted, and listed with their file:line on stderr) "
            + "instead of stopping at the first with exit code 2.")
    boolean skipBadRecords;

    DataArguments toArguments(List<String> labels) {
        if (maxLength != null && maxLength < 1) throw new UserException("--max-length must be at least 1, got " + maxLength);
        if (textPairColumn != null && textColumn == null) throw new UserException("--text-pair-column needs --text-column");
        return new DataArguments(textColumn, textPairColumn, labelColumn, labels, maxLength == null ? 0 : maxLength, docStride,
                skipBadRecords);
    }

    /** One line on stderr for bad records left out, with the first few of them: never silent. */
    static void reportSkipped(java.io.PrintWriter err, String command, List<String> skipped) {
        if (skipped.isEmpty()) return;
        err.println("distil4j " + command + ": skipped " + skipped.size() + " bad record" + (skipped.size() == 1 ? "" : "s") + ":");
        skipped.stream().limit(5).forEach(s -> err.println("  " + s));
        if (skipped.size() > 5) err.println("  ... and " + (skipped.size() - 5) + " more");
        err.flush();
    }
}
