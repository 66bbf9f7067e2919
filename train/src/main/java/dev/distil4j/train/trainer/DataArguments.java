package dev.distil4j.train.trainer;

import java.util.List;

/**
 * How training and evaluation files are read and encoded (the data side of Hugging Face's example
 * scripts' arguments).
 *
 * @param textColumn     the text column of TSV/CSV/JSON Lines; null picks it from the header as
 *                       {@code run_glue.py} does (sentence1/sentence2, question/sentence, question1/question2,
 *                       else sentence, else text)
 * @param textPairColumn the second text of a pair (needs {@code textColumn}); null for single texts
 * @param labelColumn    the label column ({@code label})
 * @param labels         the labels in id order; null sorts the training data's labels as run_glue/run_ner do.
 *                       A record with any other label is bad
 * @param maxLength      tokens per sequence, special tokens included; 0 for the task's default (run_glue's
 *                       128, run_ner's model maximum, run_qa's 384), never above the model's positions
 * @param docStride      QA: context tokens shared by consecutive windows of a long context (run_qa's 128)
 * @param skipBadRecords leave bad records out and count them, instead of stopping at the first
 */
public record DataArguments(String textColumn, String textPairColumn, String labelColumn, List<String> labels,
                            int maxLength, int docStride, boolean skipBadRecords) {
    public DataArguments {
        if (labels != null) labels = List.copyOf(labels);
        if (labelColumn == null || labelColumn.isBlank()) throw new IllegalArgumentException("the label column needs a name");
        if (textPairColumn != null && textColumn == null) {
            throw new IllegalArgumentException("a text pair column needs the text column too");
        }
        if (maxLength < 0) throw new IllegalArgumentException("max length must be >= 1 (0 for the task's default), got " + maxLength);
        if (docStride < 0) throw new IllegalArgumentException("doc stride must be >= 0, got " + docStride);
    }

    public static DataArguments defaults() {
        return new DataArguments(null, null, "label", null, 0, 128, false);
    }

    public DataArguments withColumns(String text, String pair) {
        return new DataArguments(text, pair, labelColumn, labels, maxLength, docStride, skipBadRecords);
    }

    public DataArguments withLabelColumn(String name) {
        return new DataArguments(textColumn, textPairColumn, name, labels, maxLength, docStride, skipBadRecords);
    }

    public DataArguments withLabels(List<String> l) {
        return new DataArguments(textColumn, textPairColumn, labelColumn, l, maxLength, docStride, skipBadRecords);
    }

    public DataArguments withMaxLength(int n) {
        return new DataArguments(textColumn, textPairColumn, labelColumn, labels, n, docStride, skipBadRecords);
    }

    public DataArguments withDocStride(int n) {
        return new DataArguments(textColumn, textPairColumn, labelColumn, labels, maxLength, n, skipBadRecords);
    }

    public DataArguments withSkipBadRecords(boolean skip) {
        return new DataArguments(textColumn, textPairColumn, labelColumn, labels, maxLength, docStride, skip);
    }
}
