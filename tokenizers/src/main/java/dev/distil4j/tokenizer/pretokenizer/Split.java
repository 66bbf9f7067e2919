package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.Regex;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits on a literal string or a regular expression. Regexes are compiled with
 * {@link java.util.regex.Pattern} (Hugging Face uses Oniguruma; the common syntax agrees), through
 * {@link Regex}, which turns a pattern too deep for the stack into a {@code TokenizerException}.
 *
 * @param literal the literal pattern, or {@code null}
 * @param regex the regex source, or {@code null}
 * @param invert when true, the matches are the pieces and the rest are the delimiters
 */
public record Split(String literal, String regex, SplitBehavior behavior, boolean invert, Pattern compiled)
        implements PreTokenizer {

    public Split(String literal, String regex, SplitBehavior behavior, boolean invert) {
        this(literal, regex, behavior, invert, Regex.compile(literal, regex));
    }

    @Override
    public String type() {
        return "Split";
    }

    @Override
    public void split(NormalizedString ns, List<NormalizedString> out) {
        String s = ns.text();
        int[] found = Regex.findAll(compiled, s, "pre-tokenizer Split");
        int[] ranges = new int[found.length];
        int count = 0;
        int cpPos = 0;
        int charPos = 0;
        for (int i = 0; i < found.length; i += 2) {
            int start = found[i];
            int end = found[i + 1];
            if (end == start) {
                continue;
            }
            cpPos += s.codePointCount(charPos, start);
            int a = cpPos;
            cpPos += s.codePointCount(start, end);
            charPos = end;
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
