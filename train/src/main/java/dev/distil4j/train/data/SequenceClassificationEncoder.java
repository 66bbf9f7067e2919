package dev.distil4j.train.data;

import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TruncationStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns text examples into model inputs as {@code run_glue.py}'s {@code preprocess_function} does:
 * {@code tokenizer(text[, pair], truncation=True, max_length=max_seq_length)}, i.e. longest-first
 * truncation of pairs, no padding, and the label mapped to its id.
 *
 * @param tokenizer  the model's tokenizer
 * @param maxLength  {@code max_seq_length} (run_glue's default is 128); like run_glue, a value above the
 *                   tokenizer's {@code model_max_length} is lowered to it
 * @param labels     the classes; null with {@code regression} false means unlabelled data (prediction): labels
 *                   in the examples are then ignored
 * @param regression the label is a number ({@link SequenceFeature#target()})
 */
public record SequenceClassificationEncoder(Tokenizer tokenizer, int maxLength, LabelSet labels, boolean regression) {

    /** run_glue.py's default {@code max_seq_length}. */
    public static final int DEFAULT_MAX_LENGTH = 128;

    public SequenceClassificationEncoder {
        Objects.requireNonNull(tokenizer, "tokenizer");
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
        }
        maxLength = Math.min(maxLength, tokenizer.modelMaxLength());
        if (regression && labels != null) {
            throw new IllegalArgumentException("a regression task has no label set");
        }
    }

    public static SequenceClassificationEncoder classification(Tokenizer tokenizer, int maxLength, LabelSet labels) {
        return new SequenceClassificationEncoder(tokenizer, maxLength, Objects.requireNonNull(labels, "labels"), false);
    }

    public static SequenceClassificationEncoder regression(Tokenizer tokenizer, int maxLength) {
        return new SequenceClassificationEncoder(tokenizer, maxLength, null, true);
    }

    /** For texts without labels. */
    public static SequenceClassificationEncoder unlabelled(Tokenizer tokenizer, int maxLength) {
        return new SequenceClassificationEncoder(tokenizer, maxLength, null, false);
    }

    /**
     * Encodes one example; an unknown or missing label (or, for regression, one that is not a number) is a
     * {@link DataFormatException} naming the example's file and line.
     */
    public SequenceFeature encode(TextExample e) {
        int labelId = SequenceFeature.NO_LABEL;
        float target = Float.NaN;
        if (regression) {
            target = e.target();
        } else if (labels != null) {
            if (e.label() == null) {
                throw new DataFormatException(e.origin(), "label", "missing (the task has labels " + labels.labels() + ")");
            }
            labelId = labels.id(e.label(), e.origin(), "label");
        }
        EncodeOptions opts = EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, maxLength);
        Encoding enc = tokenizer.encode(e.text(), e.textPair(), opts);
        return new SequenceFeature(enc.ids(), enc.attentionMask(), enc.typeIds(), labelId, target);
    }

    public List<SequenceFeature> encodeAll(List<TextExample> examples) {
        List<SequenceFeature> out = new ArrayList<>(examples.size());
        for (TextExample e : examples) {
            out.add(encode(e));
        }
        return out;
    }
}
