package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distil4j.tokenizer.text.UnicodeTables;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the Unicode version matters. The goldens come from Python 3.11 (Unicode 14.0); the Rust library
 * has its own (older, and for lowercasing newer) tables; the JDK has yet another (JDK 25: Unicode 16).
 * Each difference is pinned here so that a JDK upgrade cannot change results silently.
 */
class UnicodeVersionTest {
    static Tokenizer slow;
    static Tokenizer rust;

    @BeforeAll
    static void load() {
        slow = Shared.legacy("bert-base-uncased");
        rust = Tokenizer.fromTokenizerJson(Shared.path("fixtures/vocab/distilbert-base-uncased/tokenizer.json"));
    }

    private static List<String> tokens(Tokenizer t, String s) {
        return t.tokenize(s);
    }

    @Test
    void jdkKnowsAtLeastUnicode14() {
        // The Python flavour is "Unicode 14 unassigned set + the JDK for the rest": needs a JDK with Unicode >= 14.
        assertNotEquals(Character.UNASSIGNED, Character.getType(0x1FAE0), "this JDK predates Unicode 14 (melting face)");
    }

    @Test
    void unicode14CharacterIsKeptByBoth() {
        assertEquals(List.of("melting", "[UNK]"), tokens(slow, "melting \uD83E\uDEE0"));
        assertEquals(List.of("melting", "[UNK]"), tokens(rust, "melting \uD83E\uDEE0"));
    }

    @Test
    void characterNewerThanUnicode14IsDeletedByPythonOnly() {
        // U+1FA75 LIGHT BLUE HEART is Unicode 15: unassigned (Cn, "control") for Python 3.11, a symbol for JDK 25.
        String s = "a \uD83E\uDE75 b";
        assertEquals(List.of("a", "b"), tokens(slow, s));
        assertEquals(List.of("a", "[UNK]", "b"), tokens(rust, s));
        assertEquals(Character.UNASSIGNED, UnicodeTables.PYTHON.category(0x1FA75));
    }

    @Test
    void unassignedCodePoints() {
        // Python's BERT deletes every C* character, Cn included; Rust's "other" class leaves Cn out.
        assertEquals(List.of("ab"), tokens(slow, "a\u0378b"));
        assertEquals(List.of("[UNK]"), tokens(rust, "a\u0378b"));
    }

    @Test
    void rustPunctuationTableIsOld() {
        // U+2E4F (Unicode 11, Po) is punctuation for Python but not for the Rust tables.
        assertTrue(UnicodeTables.PYTHON.isBertPunctuation(0x2E4F));
        assertFalse(UnicodeTables.RUST.isBertPunctuation(0x2E4F));
        assertEquals(List.of("a", "[UNK]", "b"), tokens(slow, "a\u2E4Fb"));
        assertEquals(List.of("[UNK]"), tokens(rust, "a\u2E4Fb"));
    }

    @Test
    void chineseRangeDiffersInExtensionE() {
        // Python's BERT starts CJK Extension E at U+2B820, Rust's table at U+2B920.
        assertTrue(UnicodeTables.PYTHON.isChineseChar(0x2B820));
        assertFalse(UnicodeTables.RUST.isChineseChar(0x2B820));
        String s = "x\uD86E\uDC20y";
        assertEquals(3, tokens(slow, s).size());
        assertEquals(1, tokens(rust, s).size());
    }

    @Test
    void formatCharactersNewerThanRustTablesSurvive() {
        // U+0890 ARABIC POUND MARK ABOVE (Unicode 14, Cf): deleted by Python, kept (as part of the word) by Rust.
        assertEquals(List.of("x", "##y"), tokens(slow, "x\u0890y"));
        assertEquals(List.of("[UNK]"), tokens(rust, "x\u0890y"));
    }

    @Test
    void lowercaseIsPerCharacterWithoutFinalSigma() {
        // String.toLowerCase would give a final sigma; Python (per character) and Rust give σ.
        String upper = "\u039F\u0394\u039F\u03A3";
        assertEquals(tokens(slow, upper), tokens(rust, upper));
        Encoding e = rust.encode(upper, EncodeOptions.DEFAULT.withAddSpecialTokens(false));
        for (String t : e.tokens()) {
            assertFalse(t.contains("\u03C2"), "final sigma must not appear: " + t);
        }
        // İ lowercases to i + combining dot, which accent stripping removes
        assertEquals(List.of("istanbul"), tokens(slow, "\u0130stanbul"));
        assertEquals(List.of("istanbul"), tokens(rust, "\u0130stanbul"));
    }

    @Test
    void goldenCategoryStillPasses() {
        // the one golden line of category unicode_version, through both flavours
        int[] expected = {101, 13721, 2227, 100, 1006, 27260, 2403, 1007, 102};
        assertArrayEquals(expected, slow.encode("melting face \uD83E\uDEE0 (Unicode 14)").ids());
        assertArrayEquals(expected, rust.encode("melting face \uD83E\uDEE0 (Unicode 14)").ids());
    }
}
