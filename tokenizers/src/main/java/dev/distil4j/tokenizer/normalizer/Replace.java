package dev.distil4j.tokenizer.normalizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.Regex;
import java.util.regex.Pattern;

/**
 * Replaces every match of a literal string or a regular expression by {@code content}; the replacement
 * is aligned to the last character it replaces (Hugging Face's rule).
 *
 * @param literal the literal pattern, or {@code null} when {@code regex} is used
 * @param regex the regular expression source (tokenizer.json {@code {"Regex": ...}}), or {@code null}
 */
public record Replace(String literal, String regex, String content, Pattern compiled) implements Normalizer {

    public Replace(String literal, String regex, String content) {
        this(literal, regex, content, Regex.compile(literal, regex));
    }

    @Override
    public String type() {
        return "Replace";
    }

    @Override
    public void normalize(NormalizedString ns) {
        String s = ns.text();
        int[] found = Regex.findAll(compiled, s, "normalizer Replace");
        if (found.length == 0) {
            return;
        }
        int[] rep = content.codePoints().toArray();
        NormalizedString.Builder b = ns.rewrite();
        int cpIdx = 0;   // code point index of char position `pos`
        int pos = 0;     // UTF-16 position in s
        for (int f = 0; f < found.length; f += 2) {
            int ms = found[f];
            int me = found[f + 1];
            while (pos < ms) {
                b.keep(cpIdx++);
                pos += Character.charCount(s.codePointAt(pos));
            }
            int firstSrc = cpIdx;
            int removed = 0;
            while (pos < me) {
                pos += Character.charCount(s.codePointAt(pos));
                removed++;
            }
            // As in Hugging Face: the matched characters go, the replacement counts as inserted, so
            // each of its characters takes the alignment of the last matched one.
            for (int k = 0; k < removed; k++) {
                b.consume(firstSrc + k);
            }
            for (int r : rep) {
                b.insert(r);
            }
            cpIdx = firstSrc + removed;
        }
        while (cpIdx < ns.length()) {
            b.keep(cpIdx++);
        }
        b.commit();
    }
}
