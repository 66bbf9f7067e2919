package dev.distil4j.tokenizer.normalizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import java.util.regex.Matcher;
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
        this(literal, regex, content,
                Pattern.compile(literal != null ? Pattern.quote(literal) : regex, Pattern.UNICODE_CHARACTER_CLASS));
    }

    @Override
    public String type() {
        return "Replace";
    }

    @Override
    public void normalize(NormalizedString ns) {
        String s = ns.text();
        Matcher m = compiled.matcher(s);
        if (!m.find()) {
            return;
        }
        int[] rep = content.codePoints().toArray();
        NormalizedString.Builder b = ns.rewrite();
        int cpIdx = 0;   // code point index of char position `pos`
        int pos = 0;     // UTF-16 position in s
        do {
            int ms = m.start();
            int me = m.end();
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
        } while (m.find());
        while (cpIdx < ns.length()) {
            b.keep(cpIdx++);
        }
        b.commit();
    }
}
