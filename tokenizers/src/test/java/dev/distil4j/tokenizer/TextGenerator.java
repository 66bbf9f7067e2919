package dev.distil4j.tokenizer;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Random test strings for the differential test: each string is built from one seed, so a failure is
 * reproduced from the seed it prints. Pieces: random code points from every plane (assigned or not,
 * any category, never a lone surrogate: the Rust library cannot take one), combining marks, emoji
 * ZWJ sequences, control and format characters, CJK, RTL scripts, very long words, repeated
 * punctuation, literal special tokens, English words, numbers, odd whitespace and contractions.
 */
final class TextGenerator {
    private TextGenerator() {}

    private static final String[] WORDS = {"the", "The", "hello", "world", "Hello", "running", "unbelievable",
            "naïve", "café", "Straße", "東京", "中文", "한국어", "日本語", "Привет", "мир", "Ελλάδα", "שלום", "مرحبا", "नमस्ते",
            "ðŁĺ", "İstanbul", "ΟΔΟΣ", "résumé", "New", "York", "don't", "we're", "I'll", "it's", "O'Neil", "e-mail",
            "http://x.io/a?b=c", "x@y.com", "3.14", "1,000", "2024", "½", "ﬁ", "Ⅻ", "①", "ｆｕｌｌ", "ǅ", "ﬀ"};
    private static final String[] SPECIALS = {"[CLS]", "[SEP]", "[MASK]", "[PAD]", "[UNK]", "<s>", "</s>", "<mask>",
            "<pad>", "<unk>", "[mask]", "<MASK>", "[CLS", "<s"};
    private static final String[] EMOJI = {"😀", "👍🏽", "👨\u200D👩\u200D👧\u200D👦", "🏳️\u200D🌈", "❤️", "🇩🇪", "🤖",
            "🫠", "👩🏾\u200D💻", "#️⃣", "🧑\u200D🤝\u200D🧑"};
    private static final int[] CONTROLS = {0, 1, 7, 8, 9, 10, 11, 12, 13, 0x1B, 0x1C, 0x1F, 0x7F, 0x85, 0xA0, 0xAD,
            0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x202E, 0x2060, 0x2066, 0xFEFF, 0xFFFD, 0xE000,
            0xF8FF, 0x1680, 0x2000, 0x2007, 0x202F, 0x205F, 0x3000, 0x180E, 0x061C, 0xFFF9, 0xE0001, 0xE0041};
    private static final String PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~¡¿«»‘’“”…–—·•§¶†‡‰′″‹›⁂、。〃〈〉《》「」『』【】〔〕〜";

    static String generate(long seed, List<String> extraSpecials) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        int pieces = 1 + r.nextInt(r.nextInt(10) == 0 ? 40 : 12);
        for (int p = 0; p < pieces; p++) {
            if (p > 0 && r.nextInt(3) != 0) {
                sb.append(r.nextInt(8) == 0 ? "  " : " ");
            }
            switch (r.nextInt(14)) {
                case 0 -> randomCodePoints(r, sb, 1 + r.nextInt(4));
                case 1 -> { // a base letter with combining marks
                    sb.append((char) ('a' + r.nextInt(26)));
                    int k = 1 + r.nextInt(3);
                    for (int i = 0; i < k; i++) {
                        sb.appendCodePoint(r.nextInt(3) == 0 ? 0x1DC0 + r.nextInt(64) : 0x300 + r.nextInt(0x70));
                    }
                }
                case 2 -> sb.append(EMOJI[r.nextInt(EMOJI.length)]);
                case 3 -> sb.appendCodePoint(CONTROLS[r.nextInt(CONTROLS.length)]);
                case 4 -> { // CJK, kana, hangul, extension blocks
                    int[] starts = {0x4E00, 0x3400, 0x3040, 0x30A0, 0xAC00, 0x20000, 0x2B740, 0x2B820, 0x2B920, 0x30000, 0xF900};
                    int k = 1 + r.nextInt(4);
                    for (int i = 0; i < k; i++) {
                        sb.appendCodePoint(starts[r.nextInt(starts.length)] + r.nextInt(0x100));
                    }
                }
                case 5 -> { // RTL scripts
                    int[] starts = {0x0590, 0x05D0, 0x0600, 0x0620, 0x0700, 0x0780, 0x08A0, 0xFB50, 0xFE70};
                    int base = starts[r.nextInt(starts.length)];
                    int k = 1 + r.nextInt(6);
                    for (int i = 0; i < k; i++) {
                        sb.appendCodePoint(base + r.nextInt(0x30));
                    }
                }
                case 6 -> { // a very long word, beyond max_input_chars_per_word sometimes
                    int k = 20 + r.nextInt(r.nextInt(4) == 0 ? 200 : 60);
                    String alpha = r.nextBoolean() ? "abcdefghijklmnopqrstuvwxyz" : "etaoinshrdluéüößçñ";
                    for (int i = 0; i < k; i++) {
                        sb.append(alpha.charAt(r.nextInt(alpha.length())));
                    }
                }
                case 7 -> { // repeated punctuation
                    char c = PUNCT.charAt(r.nextInt(PUNCT.length()));
                    int k = 1 + r.nextInt(8);
                    for (int i = 0; i < k; i++) {
                        sb.append(r.nextInt(4) == 0 ? PUNCT.charAt(r.nextInt(PUNCT.length())) : c);
                    }
                }
                case 8 -> { // literal special tokens, glued or spaced
                    String s = r.nextInt(4) == 0 && !extraSpecials.isEmpty()
                            ? extraSpecials.get(r.nextInt(extraSpecials.size())) : SPECIALS[r.nextInt(SPECIALS.length)];
                    if (r.nextBoolean()) {
                        sb.append(r.nextBoolean() ? " " : "\t");
                    }
                    sb.append(s);
                }
                case 9 -> { // whitespace runs
                    String[] ws = {" ", "  ", "\t", "\n", "\r\n", " \n ", "\u00A0", "\u3000", "\u2028", "   "};
                    sb.append(ws[r.nextInt(ws.length)]);
                }
                case 10 -> sb.append(r.nextInt(10) == 0 ? Long.toString(r.nextLong()) : Integer.toString(r.nextInt(100000)));
                case 11 -> { // contractions and apostrophes
                    String[] c = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'", "''", "'S", " 's", "n't"};
                    sb.append(WORDS[r.nextInt(WORDS.length)]).append(c[r.nextInt(c.length)]);
                }
                case 12 -> randomCodePoints(r, sb, 1 + r.nextInt(10));
                default -> {
                    String w = WORDS[r.nextInt(WORDS.length)];
                    sb.append(r.nextInt(5) == 0 ? w.toUpperCase(java.util.Locale.ROOT) : w);
                }
            }
        }
        return sb.toString();
    }

    /** Code points from every plane, weighted toward the populated ones; never surrogates. */
    private static void randomCodePoints(SplittableRandom r, StringBuilder sb, int k) {
        for (int i = 0; i < k; i++) {
            int cp;
            switch (r.nextInt(6)) {
                case 0 -> cp = r.nextInt(0x80, 0x800);
                case 1 -> cp = r.nextInt(0x800, 0x10000);
                case 2 -> cp = r.nextInt(0x10000, 0x20000);
                case 3 -> cp = r.nextInt(0x20000, 0x40000);
                case 4 -> cp = r.nextInt(0xE0000, 0x110000);
                default -> cp = r.nextInt(0, 0x110000);
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            sb.appendCodePoint(cp);
        }
    }
}
