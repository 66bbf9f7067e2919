package dev.distil4j.tokenizer.sparknlp;

import java.util.ArrayList;
import java.util.List;

/**
 * Spark NLP's default {@code Tokenizer} (5.5.3, no exceptions, split characters or custom patterns),
 * token for token.
 *
 * <p>A sentence is cut at ASCII whitespace (Java's {@code \s}: space, tab, line breaks, form feed,
 * vertical tab; a no-break space is part of a token). Each piece then loses its leading and trailing
 * runs of context characters {@code . , ; : ! ? * - ( ) " '}, each run becoming one token of its own
 * ({@code "(Hello,} gives {@code "(}, {@code Hello}, {@code ,}; {@code world!"} gives {@code world} and
 * {@code !"}). What is between stays whole: {@code don't}, {@code 3.5%},
 * {@code $1,234.56}, {@code e-mail}, {@code john.doe@example.com}. A piece made only of context
 * characters ({@code ...}) is one token.
 *
 * <p>Stateless and thread-safe.
 */
public final class SparkNlpTokenizer {
    /**
     * A token, as Spark NLP's token annotation.
     *
     * @param text     the token
     * @param begin    first UTF-16 index in the document
     * @param end      last UTF-16 index in the document, inclusive
     * @param sentence the index of its sentence
     */
    public record Token(String text, int begin, int end, int sentence) {}

    private static final String CONTEXT = ".,;:!?*-()\"'";

    private SparkNlpTokenizer() {}

    /** The tokens of each sentence, in order (document offsets). */
    public static List<Token> tokenize(List<SparkNlpSentenceDetector.Sentence> sentences) {
        List<Token> out = new ArrayList<>();
        for (SparkNlpSentenceDetector.Sentence s : sentences) tokenize(s.text(), s.begin(), s.index(), out);
        return out;
    }

    /** The tokens of one sentence starting at {@code begin} in its document. */
    public static List<Token> tokenize(String sentence, int begin, int index) {
        List<Token> out = new ArrayList<>();
        tokenize(sentence, begin, index, out);
        return out;
    }

    private static void tokenize(String s, int offset, int index, List<Token> out) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) i++;
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) i++;
            if (i > start) split(s, start, i, offset, index, out);
        }
    }

    /** One whitespace-free piece {@code [start, end)}: leading context run, middle, trailing context run. */
    private static void split(String s, int start, int end, int offset, int index, List<Token> out) {
        int a = start;
        while (a < end && isContext(s.charAt(a))) a++;
        if (a == end) { // nothing but context characters: Spark NLP's rule does not match, the piece stays whole
            add(s, start, end, offset, index, out);
            return;
        }
        int b = end;
        while (isContext(s.charAt(b - 1))) b--;
        add(s, start, a, offset, index, out);
        add(s, a, b, offset, index, out);
        add(s, b, end, offset, index, out);
    }

    private static void add(String s, int from, int to, int offset, int index, List<Token> out) {
        if (to > from) out.add(new Token(s.substring(from, to), offset + from, offset + to - 1, index));
    }

    /** Java regex {@code \s} (not Unicode white space). */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private static boolean isContext(char c) {
        return CONTEXT.indexOf(c) >= 0;
    }
}
