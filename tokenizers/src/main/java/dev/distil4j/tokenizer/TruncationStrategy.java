package dev.distil4j.tokenizer;

/** How to cut an input (or a pair) down to the maximum length. */
public enum TruncationStrategy {
    /** No truncation. */
    NONE,
    /** Remove from the longer sequence first (Hugging Face's default when truncation is on). */
    LONGEST_FIRST,
    /** Only truncate the first sequence. */
    ONLY_FIRST,
    /** Only truncate the second sequence of a pair. */
    ONLY_SECOND
}
