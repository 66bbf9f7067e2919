package dev.distil4j.tokenizer.text;

import dev.distil4j.tokenizer.TokenizerException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Character classes used by the BERT and byte-level pipelines, in the two flavours that matter.
 *
 * <p>Hugging Face's tokenizers answer "is this a control character / punctuation / a mark" from three
 * different Unicode databases, and the JDK brings a fourth:
 * <ul>
 *   <li>{@link #PYTHON}: the slow tokenizers of {@code transformers} on Python 3.11 use
 *       {@code unicodedata} = <b>Unicode 14.0</b>. BERT's clean-up deletes every {@code C*} character,
 *       <em>unassigned ones included</em>. Characters that are new after 14.0 are therefore deleted by
 *       Python but would be kept by a JDK that knows them (JDK 25 knows Unicode 16: about 10,300 such
 *       code points). This flavour reads the Unicode 14 unassigned set from a generated table
 *       ({@code tools/gen_unicode14_table.py}) and falls back to the JDK for everything else, which is
 *       exact for any JDK whose Unicode version is 14 or newer (JDK 21 and later).</li>
 *   <li>{@link #RUST}: the Rust library (what {@code tokenizer.json} users get) classifies with the
 *       {@code unicode_categories} crate, whose "other" class is Cc, Cf, Co (and Cs) but <em>not</em>
 *       Cn: unassigned code points survive the clean-up and become {@code [UNK]}. Its tables are older
 *       than Unicode 14; see {@link RustTables} for the exact differences and how they were measured.</li>
 * </ul>
 * Instances are immutable and thread-safe.
 */
public final class UnicodeTables {
    /** Python 3.11 / Unicode 14.0 semantics (slow tokenizers, the goldens). */
    public static final UnicodeTables PYTHON = new UnicodeTables(Flavor.PYTHON);
    /** Hugging Face tokenizers (Rust) semantics. */
    public static final UnicodeTables RUST = new UnicodeTables(Flavor.RUST);

    /** Which reference implementation these tables reproduce. */
    public enum Flavor { PYTHON, RUST }

    private final Flavor flavor;

    private UnicodeTables(Flavor flavor) {
        this.flavor = flavor;
    }

    public Flavor flavor() {
        return flavor;
    }

    /**
     * The general category ({@link Character#getType(int)} constants) as Python 3.11 sees it; for the
     * Rust flavour, the JDK's (the Rust predicates below use measured sets instead).
     */
    public int category(int cp) {
        if (flavor == Flavor.PYTHON) {
            if (cp >= 0x0378 && Unicode14.isUnassigned(cp)) {
                return Character.UNASSIGNED;
            }
            if (cp == 0x1171E) {
                return Character.NON_SPACING_MARK; // Mn in 14.0, Mc from 15.0 on
            }
        }
        return Character.getType(cp);
    }

    /** BERT clean-up: removed characters (NUL, U+FFFD and "control" characters; never tab/newline/CR). */
    public boolean isBertRemoved(int cp) {
        if (cp == 0 || cp == 0xFFFD) {
            return true;
        }
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        if (cp < 0x7F && cp >= 0x20) {
            return false;
        }
        if (flavor == Flavor.RUST) {
            return RustTables.isOther(cp);
        }
        int t = category(cp);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE
                || t == Character.UNASSIGNED || t == Character.SURROGATE;
    }

    /** BERT clean-up: characters mapped to a space (tab, newline, CR and Zs; Rust: White_Space). */
    public boolean isBertWhitespace(int cp) {
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            return true;
        }
        if (cp < 0x80) {
            return false;
        }
        if (flavor == Flavor.PYTHON) {
            return category(cp) == Character.SPACE_SEPARATOR;
        }
        return isRustWhitespace(cp);
    }

    /**
     * Where BERT splits words. Python: {@code str.split()} (which, after the clean-up, leaves spaces,
     * Zs, U+2028 and U+2029 to split on); Rust: {@code char::is_whitespace} (the White_Space property).
     */
    public boolean isSplitWhitespace(int cp) {
        if (cp == ' ') {
            return true;
        }
        if (flavor == Flavor.PYTHON) {
            if (cp >= 0x09 && cp <= 0x0D || cp >= 0x1C && cp <= 0x1F || cp == 0x85) {
                return true;
            }
            if (cp < 0x80) {
                return false;
            }
            int t = category(cp);
            return t == Character.SPACE_SEPARATOR || t == Character.LINE_SEPARATOR
                    || t == Character.PARAGRAPH_SEPARATOR;
        }
        return isRustWhitespace(cp);
    }

    /** Rust's {@code char::is_whitespace}: the White_Space property (stable since Unicode 6.3). */
    public static boolean isRustWhitespace(int cp) {
        if (cp < 0x80) {
            return cp == ' ' || cp >= 0x09 && cp <= 0x0D;
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || cp >= 0x2000 && cp <= 0x200A || cp == 0x2028
                || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** BERT punctuation: all non-alphanumeric ASCII printable characters, and Unicode P*. */
    public boolean isBertPunctuation(int cp) {
        if (cp < 0x80) {
            return cp >= 33 && cp <= 47 || cp >= 58 && cp <= 64 || cp >= 91 && cp <= 96 || cp >= 123 && cp <= 126;
        }
        if (flavor == Flavor.RUST) {
            return RustTables.isPunctuation(cp);
        }
        int t = category(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    /** Nonspacing mark (Mn), what accent stripping removes after NFD. */
    public boolean isNonspacingMark(int cp) {
        if (flavor == Flavor.RUST) {
            return cp >= 0x300 && RustTables.isNonspacingMark(cp);
        }
        return cp >= 0x300 && category(cp) == Character.NON_SPACING_MARK;
    }

    /**
     * BERT's "Chinese character" blocks (CJK ideographs; not Hangul, Hiragana or Katakana). The Rust
     * library's table starts the Extension E block at U+2B920 instead of Python's U+2B820, so
     * U+2B820..U+2B91F (Extension E, 256 ideographs) are not isolated by the Rust tokenizers.
     */
    public boolean isChineseChar(int cp) {
        return cp >= 0x4E00 && cp <= 0x9FFF || cp >= 0x3400 && cp <= 0x4DBF || cp >= 0x20000 && cp <= 0x2A6DF
                || cp >= 0x2A700 && cp <= 0x2B73F || cp >= 0x2B740 && cp <= 0x2B81F
                || cp >= (flavor == Flavor.RUST ? 0x2B920 : 0x2B820) && cp <= 0x2CEAF || cp >= 0xF900 && cp <= 0xFAFF
                || cp >= 0x2F800 && cp <= 0x2FA1F;
    }

    /** Any combining mark (Mn, Mc, Me): what the standalone StripAccents normalizer removes. */
    public boolean isCombiningMark(int cp) {
        if (cp < 0x300) {
            return false;
        }
        if (flavor == Flavor.RUST) {
            return RustTables.isCombiningMark(cp);
        }
        int t = category(cp);
        return t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK || t == Character.ENCLOSING_MARK;
    }

    /**
     * A combining mark that the reference's normalization tables do not know: it behaves as a starter
     * (canonical combining class 0) there, so canonical reordering does not move marks across it.
     */
    public boolean isReorderBarrier(int cp) {
        if (flavor != Flavor.RUST || cp < 0x300) {
            return false;
        }
        int t = Character.getType(cp);
        return (t == Character.NON_SPACING_MARK || t == Character.COMBINING_SPACING_MARK
                || t == Character.ENCLOSING_MARK) && !RustTables.isCombiningMark(cp);
    }

    /** \p{L} in the GPT-2 pre-tokenizer pattern. */
    public boolean isLetter(int cp) {
        if (cp < 0x80) {
            return cp >= 'a' && cp <= 'z' || cp >= 'A' && cp <= 'Z';
        }
        if (flavor == Flavor.RUST) {
            return RustTables.isLetter(cp);
        }
        int t = category(cp);
        return t == Character.UPPERCASE_LETTER || t == Character.LOWERCASE_LETTER
                || t == Character.TITLECASE_LETTER || t == Character.MODIFIER_LETTER
                || t == Character.OTHER_LETTER;
    }

    /** \p{N} in the GPT-2 pre-tokenizer pattern. */
    public boolean isNumber(int cp) {
        if (cp < 0x80) {
            return cp >= '0' && cp <= '9';
        }
        if (flavor == Flavor.RUST) {
            return RustTables.isNumber(cp);
        }
        int t = category(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /** \s in the GPT-2 pre-tokenizer pattern (White_Space). */
    public boolean isRegexWhitespace(int cp) {
        return isRustWhitespace(cp);
    }

    /**
     * Full lowercase mapping of one code point without context, as Python's {@code str.lower()} applied
     * per character and Rust's {@code char::to_lowercase} do: U+0130 becomes "i̇" (two code points),
     * final sigma is not special-cased (unlike {@link String#toLowerCase}).
     * Returns the mapping in {@code out} and its length (1 or 2).
     */
    public int lowercase(int cp, int[] out) {
        if (cp < 0x80) {
            out[0] = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
            return 1;
        }
        if (cp == 0x130) {
            out[0] = 'i';
            out[1] = 0x307;
            return 2;
        }
        if (flavor == Flavor.PYTHON && category(cp) == Character.UNASSIGNED) {
            out[0] = cp;
            return 1;
        }
        out[0] = flavor == Flavor.RUST ? RustTables.toLowerCase(cp) : Character.toLowerCase(cp);
        return 1;
    }

    /**
     * The canonical (or, {@code compat}, compatibility) decomposition of {@code cp} as the reference
     * computes it when that differs from the JDK's, else null.
     */
    public int[] decompositionOverride(int cp, boolean compat) {
        return flavor == Flavor.RUST && cp >= 0xA0 ? RustTables.decompositionOverride(cp, compat) : null;
    }

    /** The Unicode 14.0 unassigned set, loaded once. */
    static final class Unicode14 {
        private static final int[] RANGES = load("unicode14-unassigned.txt");

        static boolean isUnassigned(int cp) {
            return inRanges(RANGES, cp);
        }
    }

    static boolean inRanges(int[] ranges, int cp) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (cp < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (cp > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** Reads {@code FIRST..LAST} hex ranges (sorted, '#' comments) from a resource beside this class. */
    static int[] load(String resource) {
        try (InputStream in = UnicodeTables.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new TokenizerException("missing resource " + resource);
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            int[] out = new int[256];
            int n = 0;
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int dots = line.indexOf("..");
                try {
                    int a = Integer.parseInt(dots < 0 ? line : line.substring(0, dots), 16);
                    int b = dots < 0 ? a : Integer.parseInt(line.substring(dots + 2), 16);
                    if (n + 2 > out.length) {
                        out = Arrays.copyOf(out, out.length * 2);
                    }
                    out[n++] = a;
                    out[n++] = b;
                } catch (NumberFormatException e) {
                    throw new TokenizerException(resource + ":" + lineNo + ": bad range '" + line + "'");
                }
            }
            return Arrays.copyOf(out, n);
        } catch (IOException e) {
            throw new TokenizerException("cannot read resource " + resource, e);
        }
    }
}
