package dev.distil4j.tokenizer.text;

import dev.distil4j.tokenizer.TokenizerException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The patterns of tokenizer.json's Split and Replace, compiled and matched by {@link java.util.regex}.
 *
 * <p>That engine recurses once per repetition of a group that has alternatives or more than one
 * character ({@code (a|b)+}, {@code (?:ab)*}), so a long enough match overflows the stack; it is the
 * only place in a tokenizer where the stack depends on the input. Rewriting such patterns is not
 * semantics-preserving in general (possessive or atomic forms change what backtracking finds), and
 * refusing them would refuse valid tokenizers, so the overflow is caught here, at the one call that
 * matches, and reported as a {@link TokenizerException}: nothing is half-done when it unwinds (the
 * matcher is local, the pattern immutable, no lock is held). How long an input fits depends on the
 * thread's stack ({@code -Xss}); patterns whose repetitions are single characters or classes
 * ({@code \p{L}+}, {@code [ab]*}) match iteratively and fit any length.
 */
public final class Regex {
    private Regex() {}

    /** Compiles {@code literal} (quoted) or else {@code regex}, with Unicode character classes, as Hugging Face does. */
    public static Pattern compile(String literal, String regex) {
        String source = literal != null ? Pattern.quote(literal) : regex;
        try {
            return Pattern.compile(source, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (PatternSyntaxException e) { // also what the compiler throws for groups nested too deep for the stack
            throw new TokenizerException("invalid regex /" + shorten(source) + "/: " + e.getDescription() + " (at index "
                    + e.getIndex() + ")");
        }
    }

    /**
     * Every match of {@code pattern} in {@code text}, in order, as char-index pairs
     * {@code [start0, end0, start1, end1, ...]}; empty matches included.
     *
     * @param component names the tokenizer part in the error, e.g. "pre-tokenizer Split"
     */
    public static int[] findAll(Pattern pattern, String text, String component) {
        Matcher m = pattern.matcher(text);
        int[] r = new int[16];
        int n = 0;
        try {
            while (m.find()) {
                if (n + 2 > r.length) {
                    r = Arrays.copyOf(r, r.length * 2);
                }
                r[n++] = m.start();
                r[n++] = m.end();
            }
        } catch (StackOverflowError e) {
            throw new TokenizerException(component + ": the regex /" + shorten(pattern.pattern()) + "/ needs more stack than"
                    + " this thread has to match a text of " + text.length() + " characters (the regex engine recurses once per"
                    + " repetition of a group with alternatives, such as (a|b)+; a character class, [ab]+, matches the same"
                    + " without recursing); shorten the text or raise -Xss");
        }
        return Arrays.copyOf(r, n);
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
