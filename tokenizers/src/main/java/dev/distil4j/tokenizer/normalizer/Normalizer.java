package dev.distil4j.tokenizer.normalizer;

import dev.distil4j.tokenizer.text.NormalizedString;

/**
 * First pipeline stage: rewrites the text (in place, alignments kept) before it is split into words.
 * Implementations are immutable and thread-safe.
 */
public sealed interface Normalizer
        permits BertNormalizer, Lowercase, UnicodeNormalizer, StripAccents, Replace, NormalizerSequence {

    void normalize(NormalizedString text);

    /** The {@code "type"} used in tokenizer.json. */
    String type();
}
