package dev.distil4j.train.data;

/**
 * How to read a data file. Column names apply to TSV, CSV and JSON Lines; {@code labels} and
 * {@code skipBadRecords} to every reader (CoNLL tags are labels too).
 *
 * @param textColumn     the text column; null picks it from the header as {@code run_glue.py} would:
 *                       {@code sentence1}/{@code sentence2}, {@code question}/{@code sentence},
 *                       {@code question1}/{@code question2}, else {@code sentence}, else {@code text}
 * @param pairColumn     the second text of a pair; only read when {@code textColumn} is given
 *                       (null: single texts)
 * @param labelColumn    the label column; null for unlabelled data (a test set)
 * @param labels         the allowed labels: a record with any other label is bad. Null accepts every label
 *                       (build the set from the data afterwards with {@link LabelSet#fromExamples})
 * @param regression     labels are numbers (STS-B); a label that does not parse is bad
 * @param skipBadRecords leave bad records out and count them ({@link ReadResult#skipped()}) instead of
 *                       throwing on the first one. Problems with the file as a whole (no header, a missing
 *                       column, invalid UTF-8, not SQuAD's layout) always throw.
 */
public record ReadOptions(String textColumn, String pairColumn, String labelColumn, LabelSet labels,
                          boolean regression, boolean skipBadRecords) {

    public ReadOptions {
        if (regression && labels != null) {
            throw new IllegalArgumentException("a regression task has no label set");
        }
        if (textColumn == null && pairColumn != null) {
            throw new IllegalArgumentException("a pair column needs an explicit text column");
        }
    }

    /** Columns from the header, label column {@code label}, any label, stop at the first bad record. */
    public static ReadOptions defaults() {
        return new ReadOptions(null, null, "label", null, false, false);
    }

    /** Explicit columns; {@code pair} may be null for single texts. */
    public ReadOptions withColumns(String text, String pair) {
        return new ReadOptions(text, pair, labelColumn, labels, regression, skipBadRecords);
    }

    public ReadOptions withLabelColumn(String label) {
        return new ReadOptions(textColumn, pairColumn, label, labels, regression, skipBadRecords);
    }

    /** No label column: texts only, for prediction. */
    public ReadOptions withoutLabels() {
        return withLabelColumn(null);
    }

    public ReadOptions withLabels(LabelSet set) {
        return new ReadOptions(textColumn, pairColumn, labelColumn, set, regression, skipBadRecords);
    }

    public ReadOptions withRegression(boolean v) {
        return new ReadOptions(textColumn, pairColumn, labelColumn, labels, v, skipBadRecords);
    }

    public ReadOptions withSkipBadRecords(boolean v) {
        return new ReadOptions(textColumn, pairColumn, labelColumn, labels, regression, v);
    }
}
