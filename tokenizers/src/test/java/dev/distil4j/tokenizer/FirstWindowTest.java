package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tokenizer#encodeFirstWindow} must give exactly what {@link Tokenizer#encode} gives, overflowing
 * windows aside, while tokenising long texts only part by part and only as far as the kept tokens. The
 * texts are long (golden lines and fuzzed strings joined to tens of thousands of characters) so that
 * the parts are cut in many places; short texts, pairs, left truncation and strides go through it too.
 */
class FirstWindowTest {

    static Stream<Arguments> tokenizers() {
        List<Arguments> out = new ArrayList<>();
        for (String n : Shared.GOLDEN_NAMES) {
            out.add(Arguments.of(n, "legacy files"));
        }
        out.add(Arguments.of("bert-base-uncased", "fixtures/vocab/distilbert-base-uncased/tokenizer.json"));
        out.add(Arguments.of("bert-base-uncased", "real/all-MiniLM-L6-v2/tokenizer.json"));
        out.add(Arguments.of("roberta-base", "saved tokenizer.json"));
        out.add(Arguments.of("tiny-bpe", "saved tokenizer.json"));
        return out.stream();
    }

    /** "saved tokenizer.json": the legacy files written as tokenizer.json and read back, which gives Rust's behaviour. */
    private static Tokenizer load(String name, String via) throws java.io.IOException {
        if (via.equals("legacy files")) {
            return Shared.legacy(name);
        }
        if (via.equals("saved tokenizer.json")) {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("first-window", ".json");
            try {
                Shared.legacy(name).save(f);
                return Tokenizer.fromTokenizerJson(f);
            } finally {
                java.nio.file.Files.delete(f);
            }
        }
        return Tokenizer.fromTokenizerJson(Shared.path(via));
    }

    private static List<String> goldenTexts(String name) {
        List<String> texts = new ArrayList<>();
        for (JsonNode g : Shared.jsonl(Shared.path("fixtures/tokenizers/" + name + ".jsonl"))) {
            texts.add(g.get("text").asText());
        }
        return texts;
    }

    /** Golden lines and fuzzed strings joined (with a space, none, or a newline) into one long text per seed. */
    private static String longText(List<String> lines, long seed, int chars) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < chars) {
            sb.append(r.nextInt(3) == 0 ? TextGenerator.generate(r.nextLong(), List.of()) : lines.get(r.nextInt(lines.size())));
            int sep = r.nextInt(6);
            sb.append(sep < 3 ? " " : sep == 3 ? "" : sep == 4 ? "\n" : "  ");
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("tokenizers")
    void sameAsTheWholeEncodeOnLongTexts(String name, String via) throws Exception {
        Tokenizer tok = load(name, via);
        assertTrue(tok.cutsLongTexts(), "the golden tokenizers are all cut part by part");
        List<String> lines = goldenTexts(name);
        int[] maxLengths = {2, 3, 16, 512, 6000};
        for (long seed = 1; seed <= 6; seed++) {
            String text = longText(lines, seed, 20_000 + (int) seed * 3_000);
            for (int max : maxLengths) {
                EncodeOptions o = EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, max);
                check(tok, text, null, o, "seed " + seed + " max " + max);
            }
        }
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("tokenizers")
    void sameAsTheWholeEncodeOnEveryGoldenLine(String name, String via) throws Exception {
        Tokenizer tok = load(name, via);
        List<String> lines = goldenTexts(name);
        for (int i = 0; i < lines.size(); i++) {
            for (int max : new int[] {2, 5, 512}) {
                check(tok, lines.get(i), null, EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, max),
                        "line " + (i + 1) + " max " + max);
            }
        }
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("tokenizers")
    void pairsStridesLeftSideAndNoSpecialTokens(String name, String via) throws Exception {
        Tokenizer tok = load(name, via);
        List<String> lines = goldenTexts(name);
        for (long seed = 1; seed <= 4; seed++) {
            // a few thousand characters: the whole encode pairs every overflowing window of one sequence
            // with every one of the other, so long pairs with a small max_length are costly there
            String longA = longText(lines, seed, 4_000);
            String longB = longText(lines, seed + 100, 3_000);
            String shortB = lines.get((int) seed * 7 % lines.size());
            for (TruncationStrategy s : TruncationStrategy.values()) {
                for (int max : new int[] {64, 200, 513}) {
                    EncodeOptions o = EncodeOptions.builder().truncation(s).maxLength(max).build();
                    check(tok, longA, longB, o, "pair " + s + " max " + max);
                    check(tok, longA, shortB, o, "long/short " + s + " max " + max);
                    check(tok, shortB, longA, o, "short/long " + s + " max " + max);
                }
            }
            EncodeOptions strided = EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, 100).withStride(20);
            String longer = longText(lines, seed, 12_000);
            check(tok, longer, null, strided, "stride");
            check(tok, longer, null, strided.toBuilder().truncationSide(Side.LEFT).build(), "left");
            check(tok, longer, null, strided.withAddSpecialTokens(false), "no specials");
            check(tok, longer, null, strided.withPadding(PaddingStrategy.MAX_LENGTH).withTruncation(
                    TruncationStrategy.LONGEST_FIRST, 300), "padded");
        }
    }

    /** Same ids, tokens, offsets (both kinds), words, type and sequence ids and masks; or the same error. */
    private static void check(Tokenizer tok, String text, String pair, EncodeOptions o, String where) {
        Encoding whole;
        try {
            whole = tok.encode(text, pair, o);
        } catch (TokenizerException e) {
            TokenizerException first = assertThrows(TokenizerException.class, () -> tok.encodeFirstWindow(text, pair, o), where);
            assertEquals(e.getMessage(), first.getMessage(), where);
            return;
        }
        Tokenizer.FirstWindow w = tok.encodeFirstWindow(text, pair, o);
        Encoding e = w.encoding();
        assertArrayEquals(whole.ids(), e.ids(), where);
        assertArrayEquals(whole.tokens(), e.tokens(), where);
        assertArrayEquals(whole.offsets(), e.offsets(), where);
        assertArrayEquals(whole.codePointOffsets(), e.codePointOffsets(), where);
        assertArrayEquals(whole.wordIds(), e.wordIds(), where);
        assertArrayEquals(whole.typeIds(), e.typeIds(), where);
        assertArrayEquals(whole.sequenceIds(), e.sequenceIds(), where);
        assertArrayEquals(whole.specialTokensMask(), e.specialTokensMask(), where);
        assertArrayEquals(whole.attentionMask(), e.attentionMask(), where);
        assertTrue(e.overflowing().isEmpty(), where);
        // any cut leaves overflowing windows in the whole encode (the dropped tokens, at the least)
        assertEquals(!whole.overflowing().isEmpty(), w.truncated(), where);
    }

    @Test
    void countsTokensUpToTheLimit() {
        Tokenizer tok = Shared.legacy("bert-base-uncased");
        String text = longText(goldenTexts("bert-base-uncased"), 5, 50_000);
        int n = tok.encode(text, EncodeOptions.DEFAULT.withAddSpecialTokens(false)).length();
        assertEquals(n, tok.countTokens(text, Integer.MAX_VALUE));
        assertEquals(1000, tok.countTokens(text, 1000));
        assertEquals(n, tok.countTokens(text, n + 1));
    }

    @Test
    void aTokenizerWhoseStagesCouldJoinAcrossTheCutIsNotCut() {
        Tokenizer bert = Shared.legacy("bert-base-uncased");
        Tokenizer replacing = new Tokenizer(new dev.distil4j.tokenizer.normalizer.Replace("a b", null, "x"),
                bert.preTokenizer(), bert.model(), bert.postProcessor(), bert.decoder(), bert.addedTokens(), bert.config(),
                null, null);
        assertFalse(replacing.cutsLongTexts());
        String text = "a b ".repeat(5000);
        check(replacing, text, null, EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, 64), "replace");
    }

    /**
     * The point of the first window: what it allocates does not grow with the text. Bytes allocated by
     * this thread (HotSpot's counter), for a 10 MB text against a 10 KB one, and against the whole
     * encode of 1 MB.
     */
    @Test
    void allocatesTheSameForTenMegabytesAsForTenKilobytes() {
        Tokenizer tok = Shared.legacy("bert-base-uncased");
        String unit = longText(goldenTexts("bert-base-uncased"), 9, 10_000).substring(0, 10_000);
        String small = unit;
        String big = unit.repeat(1000);
        EncodeOptions o = EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, 512);
        for (int i = 0; i < 20; i++) {
            tok.encodeFirstWindow(big, null, o);   // warm up: the counts below are the steady state
            tok.encodeFirstWindow(small, null, o);
        }
        long smallBytes = allocated(() -> tok.encodeFirstWindow(small, null, o));
        long bigBytes = allocated(() -> tok.encodeFirstWindow(big, null, o));
        String oneMb = unit.repeat(100);
        long wholeBytes = allocated(() -> tok.encode(oneMb, null, o));
        System.out.printf("first window (512 tokens): 10 KB text %d bytes, 10 MB text %d bytes; whole encode of 1 MB %d bytes%n",
                smallBytes, bigBytes, wholeBytes);
        assertTrue(bigBytes < 2 * smallBytes, "10 MB: " + bigBytes + " bytes, 10 KB: " + smallBytes);
        assertTrue(wholeBytes > 20 * bigBytes, "the whole encode of 1 MB: " + wholeBytes + " bytes, first window of 10 MB: " + bigBytes);
    }

    private static long allocated(Runnable r) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(id);
        r.run();
        return mx.getThreadAllocatedBytes(id) - before;
    }
}
