package dev.distil4j.tokenizer.text;

import dev.distil4j.tokenizer.TokenizerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The Unicode data compiled into Hugging Face's Rust tokenizers, read from {@code rust-unicode.txt}.
 *
 * <p>The Rust library mixes four sources: the {@code unicode_categories} crate (categories of an old
 * Unicode version, before 11.0: e.g. U+2E4F is not punctuation, U+1734 is still a nonspacing mark, the
 * format characters added since, like U+0890 or U+13430, are not "other"), Rust's standard library
 * (lowercase mapping, a <em>newer</em> Unicode than JDK 25's), the {@code unicode-normalization-alignments}
 * crate (NFD and NFKD without the decompositions added since Unicode 13) and Oniguruma ({@code \p{L}},
 * {@code \p{N}} of the GPT-2 pattern). The file holds the exact sets, measured code point by code point
 * against the real library by {@code RustUnicodeProbe} (test sources), and is checked again by the
 * differential test.
 */
final class RustTables {
    private RustTables() {}

    private static final int[] OTHER;
    private static final int[] PUNCT;
    private static final int[] MN;
    private static final int[] MARK;
    private static final int[] LETTER;
    private static final int[] NUMBER;
    private static final Map<Integer, Integer> LOWER = new HashMap<>();
    private static final Map<Integer, int[]> NFD = new HashMap<>();
    private static final Map<Integer, int[]> NFKD = new HashMap<>();

    static {
        Map<String, int[]> sets = new HashMap<>();
        Map<String, Integer> counts = new HashMap<>();
        String res = "rust-unicode.txt";
        try (InputStream in = RustTables.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new TokenizerException("missing resource " + res);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.trim().split(" ");
                try {
                    if (p[0].equals("lower") || p[0].equals("nfd") || p[0].equals("nfkd")) {
                        int cp = Integer.parseInt(p[1], 16);
                        int[] map = p[2].equals("-") ? new int[0]
                                : Arrays.stream(p[2].split(",")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
                        if (p[0].equals("lower")) {
                            LOWER.put(cp, map[0]);
                        } else if (p[0].equals("nfd")) {
                            NFD.put(cp, map);
                        } else {
                            NFKD.put(cp, map);
                        }
                    } else {
                        int dots = p[1].indexOf("..");
                        int a = Integer.parseInt(p[1].substring(0, dots), 16);
                        int b = Integer.parseInt(p[1].substring(dots + 2), 16);
                        int[] arr = sets.computeIfAbsent(p[0], k -> new int[64]);
                        int n = counts.getOrDefault(p[0], 0);
                        if (n + 2 > arr.length) {
                            arr = Arrays.copyOf(arr, arr.length * 2);
                            sets.put(p[0], arr);
                        }
                        arr[n] = a;
                        arr[n + 1] = b;
                        counts.put(p[0], n + 2);
                    }
                } catch (RuntimeException e) {
                    throw new TokenizerException(res + ":" + lineNo + ": bad line '" + line + "'");
                }
            }
        } catch (IOException e) {
            throw new TokenizerException("cannot read resource " + res, e);
        }
        OTHER = set(sets, counts, "other");
        PUNCT = set(sets, counts, "punct");
        MN = set(sets, counts, "mn");
        MARK = set(sets, counts, "mark");
        LETTER = set(sets, counts, "L");
        NUMBER = set(sets, counts, "N");
    }

    private static int[] set(Map<String, int[]> sets, Map<String, Integer> counts, String name) {
        int[] a = sets.get(name);
        if (a == null) {
            throw new TokenizerException("rust-unicode.txt: no '" + name + "' ranges");
        }
        return Arrays.copyOf(a, counts.get(name));
    }

    /** Rust's {@code is_other}: Cc, Cf, Co (unassigned code points are not included). */
    static boolean isOther(int cp) {
        return UnicodeTables.inRanges(OTHER, cp);
    }

    static boolean isPunctuation(int cp) {
        return UnicodeTables.inRanges(PUNCT, cp);
    }

    static boolean isNonspacingMark(int cp) {
        return UnicodeTables.inRanges(MN, cp);
    }

    /** Combining marks as the standalone StripAccents normalizer sees them. */
    static boolean isCombiningMark(int cp) {
        return UnicodeTables.inRanges(MARK, cp);
    }

    static boolean isLetter(int cp) {
        return UnicodeTables.inRanges(LETTER, cp);
    }

    static boolean isNumber(int cp) {
        return UnicodeTables.inRanges(NUMBER, cp);
    }

    static int toLowerCase(int cp) {
        Integer m = LOWER.get(cp);
        return m != null ? m : Character.toLowerCase(cp);
    }

    /** Rust's canonical (or compatibility) decomposition of {@code cp} when it differs from the JDK's, else null. */
    static int[] decompositionOverride(int cp, boolean compat) {
        return compat ? NFKD.get(cp) : NFD.get(cp);
    }
}
