package dev.distil4j.train.data;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One text (or pair of texts) with its label, as read from a TSV, CSV or JSON Lines file.
 *
 * @param text     the first (or only) text, never empty
 * @param textPair the second text of a pair, or null
 * @param label    the label as written in the file (a class name, a class number such as {@code "1"}, or a
 *                 regression value), or null for unlabelled data
 * @param origin   where the record starts
 */
public record TextExample(String text, String textPair, String label, Origin origin) {
    /** What Python's {@code float()} reads, minus nan/inf (a target that poisons the loss). */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    public TextExample {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(origin, "origin");
    }

    public boolean isPair() {
        return textPair != null;
    }

    /**
     * The label as a regression target (STS-B's {@code 3.800}); a label that is not a finite decimal number
     * is a {@link DataFormatException} naming the record.
     */
    public float target() {
        if (label == null) {
            throw new DataFormatException(origin, "label", "missing (a regression example needs a number)");
        }
        return parseTarget(label, origin, "label");
    }

    static float parseTarget(String s, Origin origin, String field) {
        String t = s.strip();
        if (!DECIMAL.matcher(t).matches()) {
            throw new DataFormatException(origin, field, "'" + s + "' is not a number");
        }
        float v = Float.parseFloat(t);
        if (!Float.isFinite(v)) {
            throw new DataFormatException(origin, field, "'" + s + "' is out of float range");
        }
        return v;
    }
}
