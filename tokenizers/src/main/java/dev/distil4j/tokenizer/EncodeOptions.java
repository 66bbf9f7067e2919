package dev.distil4j.tokenizer;

/**
 * How to encode: special tokens, truncation (with stride/overflowing windows) and padding. Immutable;
 * build with {@link #builder()} or the {@code with*} methods.
 *
 * @param maxLength used by truncation and by {@link PaddingStrategy#MAX_LENGTH}; 0 means the
 *        tokenizer's {@code model_max_length}
 * @param stride how many tokens consecutive overflowing windows share (Hugging Face's fast
 *        tokenizers' meaning: overlap, not step)
 * @param truncationSide {@code null} means the tokenizer's configured side (right by default)
 * @param paddingSide {@code null} means the tokenizer's configured side (right by default)
 * @param padToMultipleOf round the padded length up to a multiple of this (0 = off)
 */
public record EncodeOptions(boolean addSpecialTokens, TruncationStrategy truncation, int maxLength, int stride,
                            Side truncationSide, PaddingStrategy padding, int padToMultipleOf, Side paddingSide) {

    /** Special tokens added; no truncation, no padding (what {@code tokenizer(text)} does). */
    public static final EncodeOptions DEFAULT =
            new EncodeOptions(true, TruncationStrategy.NONE, 0, 0, null, PaddingStrategy.NONE, 0, null);

    public EncodeOptions {
        if (truncation == null) {
            truncation = TruncationStrategy.NONE;
        }
        if (padding == null) {
            padding = PaddingStrategy.NONE;
        }
        if (maxLength < 0 || stride < 0 || padToMultipleOf < 0) {
            throw new IllegalArgumentException("maxLength, stride and padToMultipleOf must be >= 0");
        }
    }

    public static Builder builder() {
        return new Builder(DEFAULT);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public EncodeOptions withAddSpecialTokens(boolean v) {
        return toBuilder().addSpecialTokens(v).build();
    }

    public EncodeOptions withTruncation(TruncationStrategy strategy, int maxLength) {
        return toBuilder().truncation(strategy).maxLength(maxLength).build();
    }

    public EncodeOptions withStride(int stride) {
        return toBuilder().stride(stride).build();
    }

    public EncodeOptions withPadding(PaddingStrategy strategy) {
        return toBuilder().padding(strategy).build();
    }

    /** Builder for {@link EncodeOptions}. */
    public static final class Builder {
        private boolean addSpecialTokens;
        private TruncationStrategy truncation;
        private int maxLength;
        private int stride;
        private Side truncationSide;
        private PaddingStrategy padding;
        private int padToMultipleOf;
        private Side paddingSide;

        private Builder(EncodeOptions o) {
            addSpecialTokens = o.addSpecialTokens;
            truncation = o.truncation;
            maxLength = o.maxLength;
            stride = o.stride;
            truncationSide = o.truncationSide;
            padding = o.padding;
            padToMultipleOf = o.padToMultipleOf;
            paddingSide = o.paddingSide;
        }

        public Builder addSpecialTokens(boolean v) {
            addSpecialTokens = v;
            return this;
        }

        public Builder truncation(TruncationStrategy v) {
            truncation = v;
            return this;
        }

        public Builder maxLength(int v) {
            maxLength = v;
            return this;
        }

        public Builder stride(int v) {
            stride = v;
            return this;
        }

        public Builder truncationSide(Side v) {
            truncationSide = v;
            return this;
        }

        public Builder padding(PaddingStrategy v) {
            padding = v;
            return this;
        }

        public Builder padToMultipleOf(int v) {
            padToMultipleOf = v;
            return this;
        }

        public Builder paddingSide(Side v) {
            paddingSide = v;
            return this;
        }

        public EncodeOptions build() {
            return new EncodeOptions(addSpecialTokens, truncation, maxLength, stride, truncationSide, padding,
                    padToMultipleOf, paddingSide);
        }
    }
}
