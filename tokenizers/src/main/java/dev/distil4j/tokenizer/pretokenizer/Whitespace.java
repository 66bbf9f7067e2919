package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.util.List;

/** Hugging Face's {@code Whitespace}: keeps the runs matching {@code \w+|[^\w\s]+}, drops whitespace. */
public record Whitespace() implements PreTokenizer {
    @Override
    public String type() {
        return "Whitespace";
    }

    /** {@code \w} of Rust's regex crate: alphabetic, marks, decimal digits, connector punctuation, join controls. */
    public static boolean isWordChar(int cp) {
        if (cp < 0x80) {
            return cp >= 'a' && cp <= 'z' || cp >= 'A' && cp <= 'Z' || cp >= '0' && cp <= '9' || cp == '_';
        }
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        int t = Character.getType(cp);
        return t == Character.NON_SPACING_MARK || t == Character.ENCLOSING_MARK
                || t == Character.COMBINING_SPACING_MARK || t == Character.DECIMAL_DIGIT_NUMBER
                || t == Character.CONNECTOR_PUNCTUATION;
    }

    @Override
    public void split(NormalizedString ns, List<NormalizedString> out) {
        int n = ns.length();
        int i = 0;
        while (i < n) {
            int cp = ns.cp(i);
            if (UnicodeTables.isRustWhitespace(cp)) {
                i++;
                continue;
            }
            boolean word = isWordChar(cp);
            int j = i + 1;
            while (j < n) {
                int c = ns.cp(j);
                if (word ? !isWordChar(c) : (isWordChar(c) || UnicodeTables.isRustWhitespace(c))) {
                    break;
                }
                j++;
            }
            out.add(ns.slice(i, j));
            i = j;
        }
    }
}
