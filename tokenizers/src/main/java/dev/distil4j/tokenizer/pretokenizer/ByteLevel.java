package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.util.ArrayList;
import java.util.List;

/**
 * GPT-2 / RoBERTa byte-level pre-tokenizer: optionally prefixes a space, splits with the GPT-2 pattern
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} (a hand-written
 * scanner, checked against {@link java.util.regex} in the tests), then maps every UTF-8 byte to its
 * printable stand-in character (bytes of one code point all keep that code point's alignment).
 *
 * @param trimOffsets only used by the post-processor; kept for tokenizer.json round trips
 */
public record ByteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex, UnicodeTables tables)
        implements PreTokenizer {

    public ByteLevel {
        if (tables == null) {
            tables = UnicodeTables.RUST;
        }
    }

    /** The GPT-2 pattern, for reference and for the scanner's regex cross-check. */
    public static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final int[] BYTE_TO_CHAR = new int[256];
    private static final int[] CHAR_TO_BYTE = new int[324];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE && b <= 0xFF;
            BYTE_TO_CHAR[b] = printable ? b : 256 + n++;
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    /** The stand-in character for byte {@code b} (0..255). */
    public static int byteToChar(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** The byte a stand-in character represents, or -1. */
    public static int charToByte(int cp) {
        return cp >= 0 && cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
    }

    @Override
    public String type() {
        return "ByteLevel";
    }

    @Override
    public void split(NormalizedString ns, List<NormalizedString> out) {
        if (addPrefixSpace && !ns.isEmpty() && ns.cp(0) != ' ') {
            // Hugging Face's prepend: the space takes the alignment of the character it precedes
            NormalizedString.Builder b = ns.rewrite();
            b.emit(' ', ns.start(0), ns.end(0));
            for (int i = 0; i < ns.length(); i++) {
                b.keep(i);
            }
            b.commit();
        }
        List<NormalizedString> pieces;
        if (useRegex) {
            pieces = new ArrayList<>();
            int[] m = gpt2Matches(ns.codePoints(), ns.length(), tables);
            SplitBehavior.ISOLATED.apply(ns, m, m.length / 2, pieces);
        } else {
            pieces = ns.isEmpty() ? List.of() : List.of(ns);
        }
        for (NormalizedString p : pieces) {
            toBytes(p);
            out.add(p);
        }
    }

    /** Rewrites every code point as the stand-ins of its UTF-8 bytes. */
    static void toBytes(NormalizedString ns) {
        int n = ns.length();
        int[] c = ns.codePoints();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            int cp = c[i];
            ascii = cp < 0x80 && BYTE_TO_CHAR[cp] == cp;
        }
        if (ascii) {
            return;
        }
        NormalizedString.Builder b = ns.rewrite();
        for (int i = 0; i < n; i++) {
            int cp = c[i];
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD; // a lone surrogate cannot be UTF-8 encoded
            }
            if (cp < 0x80) {
                b.replace(i, BYTE_TO_CHAR[cp]);
            } else if (cp < 0x800) {
                b.replace(i, BYTE_TO_CHAR[0xC0 | cp >> 6]);
                b.insert(BYTE_TO_CHAR[0x80 | cp & 0x3F]);
            } else if (cp < 0x10000) {
                b.replace(i, BYTE_TO_CHAR[0xE0 | cp >> 12]);
                b.insert(BYTE_TO_CHAR[0x80 | cp >> 6 & 0x3F]);
                b.insert(BYTE_TO_CHAR[0x80 | cp & 0x3F]);
            } else {
                b.replace(i, BYTE_TO_CHAR[0xF0 | cp >> 18]);
                b.insert(BYTE_TO_CHAR[0x80 | cp >> 12 & 0x3F]);
                b.insert(BYTE_TO_CHAR[0x80 | cp >> 6 & 0x3F]);
                b.insert(BYTE_TO_CHAR[0x80 | cp & 0x3F]);
            }
        }
        b.commit();
    }

    /**
     * The GPT-2 pattern's matches over {@code c[0, n)} as {@code [start, end)} code-point pairs. Every
     * position belongs to exactly one match (the last alternative, {@code \s+}, catches the rest).
     */
    public static int[] gpt2Matches(int[] c, int n, UnicodeTables t) {
        int[] m = new int[Math.max(8, n / 2)];
        int k = 0;
        int i = 0;
        while (i < n) {
            int cp = c[i];
            int j;
            if (cp == '\'' && i + 1 < n && contraction(c, i, n) > 0) {
                j = i + contraction(c, i, n);
            } else {
                int s = i;
                if (cp == ' ' && i + 1 < n && !t.isRegexWhitespace(c[i + 1])) {
                    s = i + 1;
                }
                int first = c[s];
                if (s == i && t.isRegexWhitespace(first)) {
                    int e = i + 1;
                    while (e < n && t.isRegexWhitespace(c[e])) {
                        e++;
                    }
                    // \s+(?!\S) leaves the last space to prefix the next word; a single one falls to \s+
                    j = e == n || e - i == 1 ? e : e - 1;
                } else if (t.isLetter(first)) {
                    j = s + 1;
                    while (j < n && t.isLetter(c[j])) {
                        j++;
                    }
                } else if (t.isNumber(first)) {
                    j = s + 1;
                    while (j < n && t.isNumber(c[j])) {
                        j++;
                    }
                } else {
                    j = s + 1;
                    while (j < n && !t.isRegexWhitespace(c[j]) && !t.isLetter(c[j]) && !t.isNumber(c[j])) {
                        j++;
                    }
                }
            }
            if (k + 2 > m.length) {
                m = java.util.Arrays.copyOf(m, m.length * 2);
            }
            m[k++] = i;
            m[k++] = j;
            i = j;
        }
        return java.util.Arrays.copyOf(m, k);
    }

    private static int contraction(int[] c, int i, int n) {
        int d = c[i + 1];
        if (d == 's' || d == 't' || d == 'm' || d == 'd') {
            return 2;
        }
        if (i + 2 < n) {
            int e = c[i + 2];
            if (d == 'r' && e == 'e' || d == 'v' && e == 'e' || d == 'l' && e == 'l') {
                return 3;
            }
        }
        return 0;
    }
}
