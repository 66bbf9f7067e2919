package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.util.List;

/**
 * BERT: splits on whitespace (removed) and isolates every punctuation character. A hand-written
 * scanner, one pass, no intermediate lists.
 */
public record BertPreTokenizer(UnicodeTables tables) implements PreTokenizer {
    public BertPreTokenizer {
        if (tables == null) {
            tables = UnicodeTables.RUST;
        }
    }

    public BertPreTokenizer() {
        this(UnicodeTables.RUST);
    }

    @Override
    public String type() {
        return "BertPreTokenizer";
    }

    @Override
    public void split(NormalizedString ns, List<NormalizedString> out) {
        int n = ns.length();
        int[] c = ns.codePoints();
        int wordStart = -1;
        for (int i = 0; i < n; i++) {
            int cp = c[i];
            if (tables.isSplitWhitespace(cp)) {
                if (wordStart >= 0) {
                    out.add(ns.slice(wordStart, i));
                    wordStart = -1;
                }
            } else if (tables.isBertPunctuation(cp)) {
                if (wordStart >= 0) {
                    out.add(ns.slice(wordStart, i));
                    wordStart = -1;
                }
                out.add(ns.slice(i, i + 1));
            } else if (wordStart < 0) {
                wordStart = i;
            }
        }
        if (wordStart >= 0) {
            out.add(wordStart == 0 ? ns : ns.slice(wordStart, n));
        }
    }
}
