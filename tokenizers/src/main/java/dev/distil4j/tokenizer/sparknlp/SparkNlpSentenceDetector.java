package dev.distil4j.tokenizer.sparknlp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Spark NLP's default {@code SentenceDetector} (the "pragmatic" rule detector, 5.5.3, with its defaults:
 * lists detected, abbreviations used, no custom bounds), sentence for sentence and offset for offset.
 *
 * <p>How it works, as Spark NLP does it: the text is rewritten in passes, each pass replacing what a
 * few regular expressions match with private-use marker characters: dots that must not end a sentence
 * (numbers {@code 3.5}, abbreviations {@code Mr.}, {@code U.S.A.}, {@code a.m.}, dots between word
 * characters) become non-breaking markers, spans in quotes or brackets are protected, and every
 * remaining {@code .} and {@code ;}, every run of {@code !}/{@code ?} followed by whitespace, and
 * {@code ...} before a capital become breaks. The text is cut at the breaks outside protected spans,
 * the markers are turned back into their characters, and each piece, trimmed, is located in the
 * original text (its first occurrence after the previous sentence).
 *
 * <p>Consequences worth knowing (all Spark NLP's behaviour): {@code ;} ends a sentence; {@code "left..."}
 * at the end of a text gives the sentences {@code "left."}, {@code "."}, {@code "."}; {@code "Why?!"}
 * followed by a space ends one; a number followed by a dot ({@code "in 1945."}) does not end a sentence
 * when anything but whitespace follows; {@code "1. "} starts a list item (a break before it).
 *
 * <p>Stateless and thread-safe.
 */
public final class SparkNlpSentenceDetector {
    /**
     * A sentence, as Spark NLP's sentence annotation.
     *
     * @param index its position among the document's sentences
     * @param text  the sentence (normally {@code document.substring(begin, end + 1)})
     * @param begin first UTF-16 index in the document
     * @param end   last UTF-16 index in the document, inclusive (Spark NLP's {@code end})
     */
    public record Sentence(int index, String text, int begin, int end) {}

    // the marker characters (Spark NLP's symbols): breaks, protected spans, and stand-ins for characters
    static final char BREAK = '\uF050';
    private static final char DOT = '\uF051';
    private static final char SEMICOLON = '\uF053';
    private static final char QUESTION = '\uF054';
    private static final char EXCLAMATION = '\uF055';
    private static final char OPEN = '\uF056';
    private static final char CLOSE = '\uF057';
    private static final char ABBREVIATION = '\u255E';
    private static final char NUMBER = '\u255F';
    private static final char PERIOD = '\u2554';
    private static final char QUESTION_IN_QUOTE = '\u2564';
    private static final char EXCLAMATION_MARK = '\u2565';
    private static final char ELLIPSIS = '\u2566';

    private static final String PREPOSITIVE = "(?:dr|mr|ms|prof|mt|st)";
    private static final String NUMBERED = "(?:no|p|px)";
    // written as Spark NLP writes them, unescaped dots included (so "e.g" also matches "eXg")
    private static final String ABBREVIATIONS = "(?:adj|bros|btw|co|col|corp|cpl|dec|aug|del|dept|dist|dr|e.g|etc|exp|feb|fy|hr"
            + "|i.e|id|inc|jan|jr|jul|jun|lt|ltd|mar|may|min|mr|mrs|ms|no|nov|oct|ok|p|px|plz|prof|rep|sec|sep|sept|sr|st|u.s"
            + "|ver|vs)";

    /** A pass: its patterns, applied one after the other, and what a match becomes. */
    private record Pass(List<Pattern> patterns, Replacement replacement) {
        Pass(Replacement replacement, String... regexes) {
            this(compile(regexes), replacement);
        }

        String apply(String text) {
            for (Pattern p : patterns) text = replaceAll(p, text, replacement);
            return text;
        }
    }

    /** What a match is replaced with (a replacement string in {@link Matcher#appendReplacement} syntax). */
    @FunctionalInterface
    private interface Replacement extends UnaryOperator<String> {}

    private static Replacement symbol(char c) {
        return m -> String.valueOf(c);
    }

    private static Replacement symbolAndBreak(char c) {
        return m -> "" + c + BREAK;
    }

    /**
     * The match between protection markers. Only {@code $} is escaped, as Spark NLP escapes it: a
     * backslash in the match is read as an escape and disappears, which this reproduces.
     */
    private static Replacement protect(boolean breakBefore) {
        return m -> (breakBefore ? String.valueOf(BREAK) : "") + OPEN + m.replace("$", "\\$") + CLOSE;
    }

    private static final List<Pass> PASSES = List.of(
            // lists: "(a)", "a)" at the start, "1. ", "-1. " ... get a break before them and are protected
            new Pass(protect(true), "(\\()[a-z]+\\)|^[a-z]+\\)",
                    "\\s\\d{1,2}\\.\\s|^\\d{1,2}\\.\\s|\\s\\d{1,2}\\.\\)|^\\d{1,2}\\.\\)|\\s\\-\\d{1,2}\\.\\s|^\\-\\d{1,2}\\.\\s|"
                            + "s\\-\\d{1,2}\\.\\)|^\\-\\d{1,2}(.\\))"),
            // numbers: dots next to digits
            new Pass(symbol(NUMBER), "(?<=\\d)\\.(?=\\d)", "\\.(?=\\d)", "(?<=\\d)\\.(?=\\S)",
                    "(?<=^\\d)\\.(?=(\\s\\S)|\\))", "(?<=^\\d\\d)\\.(?=(\\s\\S)|\\))"),
            // abbreviations: U.S.A., a.m./p.m. protected; possessives, single capitals, the dictionary
            new Pass(protect(false), "\\b[a-zA-Z](?:\\.[a-zA-Z])+(?:\\.(?!\\s[A-Z]))*", "(?i)p\\.m\\.*", "(?i)a\\.m\\.*"),
            new Pass(symbol(ABBREVIATION), "\\.(?='s\\s)|\\.(?='s\\$)|\\.(?='s\\z)", "(?<=Co)\\.(?=\\sKG)",
                    "(?<=^[A-Z])\\.(?=\\s)", "(?<=\\s[A-Z])\\.(?=\\s)"),
            new Pass(symbol(ABBREVIATION),
                    "(?<=\\s(?i)" + PREPOSITIVE + ")\\.(?=\\s)|(?<=^(?i)" + PREPOSITIVE + ")\\.(?=\\s)",
                    "(?<=\\s(?i)" + PREPOSITIVE + ")\\.(?=:\\d+)|(?<=^(?i)" + PREPOSITIVE + ")\\.(?=:\\d+)",
                    "(?<=\\s(?i)" + NUMBERED + ")\\.(?=\\s\\d)|(?<=^(?i)" + NUMBERED + ")\\.(?=\\s\\d)",
                    "(?<=\\s(?i)" + NUMBERED + ")\\.(?=\\s+\\()|(?<=^(?i)" + NUMBERED + ")\\.(?=\\s+\\()",
                    "(?<=\\s(?i)" + ABBREVIATIONS + ")\\.(?=((\\.|\\:|-|\\?)|(\\s([a-z]|I\\s|I'm|I'll|\\d))))|(?<=^(?i)"
                            + ABBREVIATIONS + ")\\.(?=((\\.|\\:|\\?)|(\\s([a-z]|I\\s|I'm|I'll|\\d))))",
                    "(?<=\\s(?i)" + ABBREVIATIONS + ")\\.(?=,)|(?<=^(?i)" + ABBREVIATIONS + ")\\.(?=,)"),
            // "!" / "?" runs before whitespace or the end: a break after them
            new Pass(m -> "$0" + BREAK, "(?<=\\S)[!\\?]+(?=\\s|\\z|\\$)"),
            // dots between word characters, and after a degree sign before a number
            new Pass(symbol(PERIOD), "(?<=\\w)\\.(?=\\w)"),
            new Pass(symbol(PERIOD), "(?<=[a-zA-z]°)\\.(?=\\s*\\d+)"),
            // "..." before a capital: one sentence end
            new Pass(symbolAndBreak(ELLIPSIS), "\\.\\.\\.(?=\\s+[A-Z])", "(?<=\\S)\\.{3}(?=\\.\\s[A-Z])"),
            // quoted and bracketed spans are protected
            new Pass(protect(false), "(?<=\\s|^)'[\\w\\s?!\\.,|'\\w]+'(?:\\W)", "\"[\\w\\s?!\\.,]+\"",
                    "\\[[\\w\\s?!\\.,]+\\]", "\\([\\w\\s?!\\.,]+\\)"),
            new Pass(symbol(QUESTION_IN_QUOTE), "\\?(?=(\\'|\\\"))"),
            new Pass(symbol(EXCLAMATION_MARK), "\\!(?=(\\'|\\\"))", "\\!(?=\\,\\s[a-z])", "\\!(?=\\s[a-z])"),
            // every other "." and ";" ends a sentence
            new Pass(symbolAndBreak(DOT), "\\."),
            new Pass(symbolAndBreak(SEMICOLON), ";"));

    /** A break not inside a protected span (no close marker ahead before an open one). */
    private static final Pattern UNPROTECTED_BREAK = Pattern.compile(BREAK + "(?![^" + OPEN + "]*" + CLOSE + ")");

    private SparkNlpSentenceDetector() {}

    /**
     * The sentences of {@code document}, in order of their first index, numbered from 0. Empty and
     * blank documents have none.
     */
    public static List<Sentence> detect(String document) {
        if (document == null) throw new IllegalArgumentException("document is null");
        String marked = document;
        for (Pass p : PASSES) marked = p.apply(marked);
        List<Sentence> found = new ArrayList<>();
        int from = 0;
        // String.split drops trailing empty pieces, as Spark NLP's split does
        for (String piece : UNPROTECTED_BREAK.split(marked)) {
            if (piece.isEmpty()) continue;
            String text = recover(piece).trim();
            int begin = document.indexOf(text, from);
            int end = begin + text.length() - 1;
            if (!text.isEmpty()) found.add(new Sentence(-1, text, begin, end));
            from = end + 1;
        }
        // Spark NLP numbers sentences by their begin (a stable sort)
        found.sort(Comparator.comparingInt(Sentence::begin));
        List<Sentence> out = new ArrayList<>(found.size());
        for (Sentence s : found) out.add(new Sentence(out.size(), s.text(), s.begin(), s.end()));
        return out;
    }

    /** The markers back to the characters they stand for; breaks and protection markers go. */
    private static String recover(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case BREAK, OPEN, CLOSE -> { }
                case DOT, ABBREVIATION, NUMBER, PERIOD -> b.append('.');
                case SEMICOLON -> b.append(';');
                case QUESTION, QUESTION_IN_QUOTE -> b.append('?');
                case EXCLAMATION, EXCLAMATION_MARK -> b.append('!');
                case ELLIPSIS -> b.append("...");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static List<Pattern> compile(String... regexes) {
        List<Pattern> out = new ArrayList<>(regexes.length);
        for (String r : regexes) out.add(Pattern.compile(r));
        return out;
    }

    /** Every match replaced through {@link Matcher#appendReplacement} (so {@code $0} and escapes work as Spark NLP relies on). */
    private static String replaceAll(Pattern p, String text, Replacement r) {
        Matcher m = p.matcher(text);
        if (!m.find()) return text;
        StringBuilder b = new StringBuilder(text.length() + 16);
        do {
            m.appendReplacement(b, r.apply(m.group()));
        } while (m.find());
        m.appendTail(b);
        return b.toString();
    }
}
