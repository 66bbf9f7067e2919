package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits on a literal string or a regular expression. Regexes are compiled with
 * {@link java.util.regex.Pattern} (Hugging Face uses Oniguruma; the common syntax agrees).
 *
 * @param literal the literal pattern, or {@code null}
 * @param regex the regex source, or {@code null}
 * @param invert when true, the matches are the pieces and the rest are the delimiters
 */
public record Split(String literal, String regex, SplitBehavior behavior, boolean invert, Pattern compiled)
        implements PreTokenizer {

    public Split(String literal, String regex, SplitBehavior behavior, boolean invert) {
        this(literal, regex, behavior, invert,
                Pattern.compile(literal != null ? Pattern.quote(literal) : regex, Pattern.UNICODE_CHARACTER_CLASS));
    }

    @Override
    public String type() {
        return "Split";
    }

    @Override
    public void split(NormalizedString ns, List<NormalizedString> out) {
        String s = ns.text();
        Matcher m = compiled.matcher(s);
        int[] ranges = new int[16];
        int count = 0;
        int cpPos = 0;
        int charPos = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            cpPos += s.codePointCount(charPos, m.start());
            int a = cpPos;
            cpPos += s.codePointCount(m.start(), m.end());
            charPos = m.end();
            if (2 * count + 2 > ranges.length) {
                ranges = Arrays.copyOf(ranges, ranges.length * 2);
            }
            ranges[2 * count] = a;
            ranges[2 * count + 1] = cpPos;
            count++;
        }
        if (invert) {
            int[] inv = new int[2 * count + 2];
            int k = 0;
            int prev = 0;
            for (int i = 0; i < count; i++) {
                if (ranges[2 * i] > prev) {
                    inv[2 * k] = prev;
                    inv[2 * k + 1] = ranges[2 * i];
                    k++;
                }
                prev = ranges[2 * i + 1];
            }
            if (prev < ns.length()) {
                inv[2 * k] = prev;
                inv[2 * k + 1] = ns.length();
                k++;
            }
            behavior.apply(ns, inv, k, out);
        } else {
            behavior.apply(ns, ranges, count, out);
        }
    }
}
