package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.util.List;

/** Splits on whitespace (Rust's {@code char::is_whitespace}), removing it. */
public record WhitespaceSplit() implements PreTokenizer {
    @Override
    public String type() {
        return "WhitespaceSplit";
    }

    @Override
    public void split(NormalizedString ns, List<NormalizedString> out) {
        SplitBehavior.REMOVED.splitOnChars(ns, UnicodeTables::isRustWhitespace, out);
    }
}
