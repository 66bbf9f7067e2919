package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.util.List;

/** Splits on punctuation characters (BERT's definition), each one a delimiter handled per {@code behavior}. */
public record Punctuation(SplitBehavior behavior, UnicodeTables tables) implements PreTokenizer {
    public Punctuation {
        if (behavior == null) {
            behavior = SplitBehavior.ISOLATED;
        }
        if (tables == null) {
            tables = UnicodeTables.RUST;
        }
    }

    @Override
    public String type() {
        return "Punctuation";
    }

    @Override
    public void split(NormalizedString ns, List<NormalizedString> out) {
        behavior.splitOnChars(ns, tables::isBertPunctuation, out);
    }
}
