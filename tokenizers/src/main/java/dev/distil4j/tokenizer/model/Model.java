package dev.distil4j.tokenizer.model;

import dev.distil4j.tokenizer.text.NormalizedString;

/**
 * Third pipeline stage: turns one pre-tokenized word into vocabulary ids. Implementations are
 * immutable and thread-safe.
 */
public sealed interface Model permits WordPiece, Bpe {

    /**
     * Tokenizes {@code word}, appending to {@code out} one {@code (id, start, end)} triple per token, where
     * start/end are code-point indices into {@code word}. The token string is always
     * {@code idToToken(id)}.
     */
    void tokenize(NormalizedString word, TokenSink out);

    Vocab vocab();

    /** The {@code "type"} used in tokenizer.json. */
    String type();

    /** Receives tokens from a model. */
    interface TokenSink {
        void token(int id, int start, int end);
    }
}
