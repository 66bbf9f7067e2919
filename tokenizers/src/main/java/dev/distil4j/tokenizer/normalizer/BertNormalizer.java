package dev.distil4j.tokenizer.normalizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;

/**
 * BERT's normalizer: clean-up (delete control characters, map whitespace to a space), spaces around
 * CJK ideographs, accent stripping (NFD then delete Mn) and lowercasing, in that order (Rust's order;
 * the slow tokenizer lowercases first, which gives the same result: both decompose before deleting marks).
 *
 * @param stripAccents {@code null} means "same as lowercase", as in Hugging Face
 * @param tables which Unicode database to emulate (not part of tokenizer.json)
 */
public record BertNormalizer(boolean cleanText, boolean handleChineseChars, Boolean stripAccents,
                             boolean lowercase, UnicodeTables tables) implements Normalizer {

    public BertNormalizer {
        if (tables == null) {
            tables = UnicodeTables.RUST;
        }
    }

    @Override
    public String type() {
        return "BertNormalizer";
    }

    @Override
    public void normalize(NormalizedString ns) {
        if (cleanText) {
            clean(ns);
        }
        if (handleChineseChars) {
            chinese(ns);
        }
        if (stripAccents != null ? stripAccents : lowercase) {
            StripAccents.stripAccents(ns, tables);
        }
        if (lowercase) {
            Lowercase.lowercase(ns, tables);
        }
    }

    private void clean(NormalizedString ns) {
        int n = ns.length();
        int[] c = ns.codePoints();
        boolean change = false;
        for (int i = 0; i < n; i++) {
            int cp = c[i];
            if (cp < 0x20 || cp >= 0x7F) {
                if (tables.isBertRemoved(cp) || cp != ' ' && tables.isBertWhitespace(cp)) {
                    change = true;
                    break;
                }
            }
        }
        if (!change) {
            return;
        }
        NormalizedString.Builder b = ns.rewrite();
        for (int i = 0; i < n; i++) {
            int cp = c[i];
            if (tables.isBertRemoved(cp)) {
                b.consume(i);
            } else if (tables.isBertWhitespace(cp)) {
                b.replace(i, ' ');
            } else {
                b.keep(i);
            }
        }
        b.commit();
    }

    private void chinese(NormalizedString ns) {
        int n = ns.length();
        int[] c = ns.codePoints();
        boolean any = false;
        for (int i = 0; i < n && !any; i++) {
            any = c[i] >= 0x3400 && tables.isChineseChar(c[i]);
        }
        if (!any) {
            return;
        }
        NormalizedString.Builder b = ns.rewrite();
        for (int i = 0; i < n; i++) {
            int cp = c[i];
            if (cp >= 0x3400 && tables.isChineseChar(cp)) {
                b.replace(i, ' ');
                b.insert(cp);
                b.insert(' ');
            } else {
                b.keep(i);
            }
        }
        b.commit();
    }
}
