package dev.distil4j.tokenizer;

/** How to pad encodings. */
public enum PaddingStrategy {
    /** No padding. */
    NONE,
    /** Pad every encoding of a batch to the longest one. */
    LONGEST,
    /** Pad to the configured maximum length. */
    MAX_LENGTH
}
