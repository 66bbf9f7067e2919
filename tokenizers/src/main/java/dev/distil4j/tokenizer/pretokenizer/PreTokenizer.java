package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import java.util.List;

/**
 * Second pipeline stage: splits normalized text into "words" (each later tokenized on its own and
 * numbered by its word id). Implementations are immutable and thread-safe.
 */
public sealed interface PreTokenizer
        permits BertPreTokenizer, ByteLevel, Whitespace, WhitespaceSplit, Punctuation, Split, PreTokenizerSequence {

    /** Appends the pieces of {@code text} to {@code out}, dropping empty ones. */
    void split(NormalizedString text, List<NormalizedString> out);

    /** The {@code "type"} used in tokenizer.json. */
    String type();
}
