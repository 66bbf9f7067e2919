package dev.distil4j.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@link SentenceSplitter#rules()}: see the rules there. */
final class RuleSplitter {
    private RuleSplitter() {}

    static List<SentenceSplitter.Sentence> split(String doc) {
        List<SentenceSplitter.Sentence> out = new ArrayList<>();
        int start = 0;
        int n = doc.length();
        int i = 0;
        while (i < n) {
            char c = doc.charAt(i);
            if (c == '\n' || c == '\r') {
                int j = i + (c == '\r' && i + 1 < n && doc.charAt(i + 1) == '\n' ? 2 : 1);
                int k = j;
                while (k < n && (doc.charAt(k) == ' ' || doc.charAt(k) == '\t')) k++;
                if (k < n && (doc.charAt(k) == '\n' || doc.charAt(k) == '\r')) { // blank line
                    add(doc, start, i, out);
                    start = k;
                    i = k;
                    continue;
                }
                i = j;
                continue;
            }
            if (isTerminal(c)) {
                int j = i;
                while (j < n && isTerminal(doc.charAt(j))) j++;
                int runEnd = j;
                while (j < n && isCloser(doc.charAt(j))) j++;
                boolean fullWidth = isFullWidth(doc.charAt(runEnd - 1));
                boolean atBoundary = j == n || Character.isWhitespace(doc.charAt(j));
                if ((atBoundary || fullWidth) && !(runEnd - i == 1 && c == '.' && continues(doc, i, j))) {
                    add(doc, start, j, out);
                    start = j;
                }
                i = j;
                continue;
            }
            i++;
        }
        add(doc, start, n, out);
        return out;
    }

    /** A lone period that does not end the sentence: after an abbreviation or an initial, or before lower case. */
    private static boolean continues(String doc, int dot, int after) {
        int k = after;
        while (k < doc.length() && Character.isWhitespace(doc.charAt(k))) k++;
        if (k < doc.length()) {
            int next = doc.codePointAt(k);
            if (Character.isLowerCase(next) || Character.isDigit(next)) return true;
        }
        int w = dot;
        while (w > 0 && !Character.isWhitespace(doc.charAt(w - 1)) && doc.charAt(w - 1) != '(' && doc.charAt(w - 1) != '"') w--;
        String word = doc.substring(w, dot);
        if (word.codePointCount(0, word.length()) == 1 && Character.isLetter(word.codePointAt(0))) return true;
        return SentenceSplitter.ABBREVIATIONS.contains(word.toLowerCase(Locale.ROOT));
    }

    private static boolean isTerminal(char c) {
        return c == '.' || c == '!' || c == '?' || c == '…' || isFullWidth(c);
    }

    private static boolean isFullWidth(char c) {
        return c == '。' || c == '！' || c == '？' || c == '｡';
    }

    private static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == '»' || c == '”' || c == '’'
                || c == '」' || c == '』' || c == '）';
    }

    /** Adds {@code doc[s, e)} trimmed, unless it is blank. */
    static void add(String doc, int s, int e, List<SentenceSplitter.Sentence> out) {
        while (s < e && isSpace(doc.charAt(s))) s++;
        while (e > s && isSpace(doc.charAt(e - 1))) e--;
        if (s < e) out.add(new SentenceSplitter.Sentence(out.size(), doc.substring(s, e), s, e));
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }
}
