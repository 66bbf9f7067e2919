package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Truncation, stride windows, padding, offsets and the Encoding helpers, with real bert-base-uncased ids. */
class EncodingOptionsTest {
    static Tokenizer bert;
    static Tokenizer roberta;

    static final String FOX = "The quick brown fox jumps over the lazy dog.";
    // [CLS] the quick brown fox jumps over the lazy dog . [SEP]
    static final int[] FOX_IDS = {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102};

    @BeforeAll
    static void load() {
        bert = Tokenizer.fromTokenizerJson(Shared.path("fixtures/vocab/distilbert-base-uncased/tokenizer.json"));
        roberta = Shared.legacy("roberta-base");
    }

    @Test
    void plainEncoding() {
        Encoding e = bert.encode(FOX);
        assertArrayEquals(FOX_IDS, e.ids());
        assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, e.specialTokensMask());
        assertArrayEquals(new int[] {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1}, e.wordIds());
        assertArrayEquals(new int[] {-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1}, e.sequenceIds());
        assertEquals(4, e.startAt(2));
        assertEquals(9, e.endAt(2));
        assertEquals(2, bert.numSpecialTokensToAdd(false));
        assertEquals(3, bert.numSpecialTokensToAdd(true));
        assertEquals(List.of(101, 102, 0, 103, 100),
                List.of(bert.clsTokenId(), bert.sepTokenId(), bert.padTokenId(), bert.maskTokenId(), bert.unkTokenId()));
        assertEquals(30522, bert.vocabSize());
        assertEquals("quick", bert.idToToken(4248));
        assertEquals(4248, bert.tokenToId("quick"));
    }

    @Test
    void truncationWithStrideGivesOverlappingWindows() {
        EncodeOptions o = EncodeOptions.builder().truncation(TruncationStrategy.LONGEST_FIRST).maxLength(8).stride(2).build();
        Encoding e = bert.encode(FOX, o);
        assertArrayEquals(new int[] {101, 1996, 4248, 2829, 4419, 14523, 2058, 102}, e.ids());
        assertEquals(1, e.overflowing().size());
        // the window starts max_len - stride = 4 content tokens later: "jumps over" is shared
        assertArrayEquals(new int[] {101, 14523, 2058, 1996, 13971, 3899, 1012, 102}, e.overflowing().get(0).ids());
        assertArrayEquals(new int[] {-1, 4, 5, 6, 7, 8, 9, -1}, e.overflowing().get(0).wordIds());
        assertEquals(20, e.overflowing().get(0).startAt(1)); // "jumps"
        BatchEncoding b = bert.encodeBatch(List.of(FOX, "Hello world!"), o);
        assertEquals(3, b.flattened().size());
        assertArrayEquals(new int[] {0, 0, 1}, b.overflowToSample());
    }

    @Test
    void leftTruncationKeepsTheEnd() {
        EncodeOptions o = EncodeOptions.builder().truncation(TruncationStrategy.LONGEST_FIRST).maxLength(6)
                .truncationSide(Side.LEFT).build();
        assertArrayEquals(new int[] {101, 1996, 13971, 3899, 1012, 102}, bert.encode(FOX, o).ids());
    }

    @Test
    void pairTruncationStrategies() {
        String q = "short question?";
        // only_second keeps the question whole
        Encoding e = bert.encode(q, FOX, EncodeOptions.builder().truncation(TruncationStrategy.ONLY_SECOND).maxLength(10).build());
        assertArrayEquals(new int[] {101, 2460, 3160, 1029, 102, 1996, 4248, 2829, 4419, 102}, e.ids());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, e.typeIds());
        assertArrayEquals(new int[] {-1, 0, 0, 0, -1, 1, 1, 1, 1, -1}, e.sequenceIds());
        // longest_first: 3 + 10 content tokens into 7: the longer gets cut first
        Encoding l = bert.encode(q, FOX, EncodeOptions.builder().truncation(TruncationStrategy.LONGEST_FIRST).maxLength(10).build());
        assertArrayEquals(new int[] {101, 2460, 3160, 1029, 102, 1996, 4248, 2829, 4419, 102}, l.ids());
        // only_first on a pair whose first text is too short to absorb the cut: an error, as in Rust
        assertThrows(TokenizerException.class, () -> bert.encode(q, FOX,
                EncodeOptions.builder().truncation(TruncationStrategy.ONLY_FIRST).maxLength(10).build()));
        // only_second without a pair
        assertThrows(TokenizerException.class, () -> bert.encode(FOX,
                EncodeOptions.builder().truncation(TruncationStrategy.ONLY_SECOND).maxLength(5).build()));
    }

    @Test
    void strideTooLargeIsAnErrorNotAPanic() {
        EncodeOptions o = EncodeOptions.builder().truncation(TruncationStrategy.LONGEST_FIRST).maxLength(6).stride(4).build();
        assertThrows(TokenizerException.class, () -> bert.encode(FOX, o));
    }

    @Test
    void padding() {
        EncodeOptions longest = EncodeOptions.builder().padding(PaddingStrategy.LONGEST).build();
        BatchEncoding b = bert.encodeBatch(List.of("Hello world!", FOX), longest);
        assertArrayEquals(new int[] {101, 7592, 2088, 999, 102, 0, 0, 0, 0, 0, 0, 0}, b.get(0).ids());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}, b.get(0).attentionMask());
        assertArrayEquals(new int[] {1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, b.get(0).specialTokensMask());
        assertArrayEquals(FOX_IDS, b.get(1).ids());
        EncodeOptions left = longest.toBuilder().paddingSide(Side.LEFT).padToMultipleOf(8).build();
        Encoding l = bert.encodeBatch(List.of("Hello world!", FOX), left).get(0);
        assertEquals(16, l.length());
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 101, 7592, 2088, 999, 102}, l.ids());
        assertEquals(0, l.sequenceIdAt(12));
        Encoding m = bert.encode("Hello world!", EncodeOptions.builder().padding(PaddingStrategy.MAX_LENGTH).maxLength(7).build());
        assertArrayEquals(new int[] {101, 7592, 2088, 999, 102, 0, 0}, m.ids());
        // RoBERTa pads with <pad> = 1
        Encoding r = roberta.encodeBatch(List.of("Hi", "Hello world"), longest).get(0);
        assertArrayEquals(new int[] {0, 30086, 2, 1}, r.ids());
    }

    @Test
    void offsetsAreUtf16AndCodePoints() {
        Encoding e = bert.encode("a \uD83E\uDD16 b", EncodeOptions.DEFAULT.withAddSpecialTokens(false));
        assertArrayEquals(new String[] {"a", "[UNK]", "b"}, e.tokens());
        assertArrayEquals(new int[] {0, 1, 2, 4, 5, 6}, e.offsets());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, e.codePointOffsets());
        // byte-level BPE splits the emoji into byte tokens, each reporting the whole character
        Encoding r = roberta.encode("\uD83E\uDD16!", EncodeOptions.DEFAULT.withAddSpecialTokens(false));
        for (int i = 0; i < r.length() - 1; i++) {
            assertEquals(0, r.startAt(i));
            assertEquals(2, r.endAt(i));
        }
    }

    @Test
    void charAndWordHelpers() {
        Encoding e = bert.encodePair("Where is it?", "In Paris.");
        assertEquals(2, e.charToToken(6, 0)); // "is"
        assertEquals(1, e.charToWord(6, 0));
        assertEquals(7, e.charToToken(3, 1)); // "paris" in the second text
        assertArrayEquals(new int[] {7, 8}, e.wordToTokens(1, 1));
        assertArrayEquals(new int[] {3, 8}, e.wordToChars(1, 1));
        assertNull(e.wordToTokens(9, 0));
        assertEquals(Encoding.NONE, e.tokenToWord(0));
        assertEquals(1, e.tokenToSequence(7));
    }

    @Test
    void decoding() {
        int[] ids = bert.encode("I can't believe it's [MASK].").ids();
        assertEquals("[CLS] i can't believe it's [MASK]. [SEP]", bert.decode(ids, false, true));
        assertEquals("i can't believe it's.", bert.decode(ids, true, true));
        // without the transformers clean-up, only the Rust decoder's own per-token clean-up applies
        assertEquals("i can ' t believe it ' s.", bert.decode(ids, true, false));
        assertEquals("i can't believe it's.", Shared.legacy("bert-base-uncased").decode(ids, true, true));
        assertEquals("unbelievable", bert.convertTokensToString(List.of("un", "##bel", "##ie", "##va", "##ble")));
        int[] r = roberta.encode("Hello <mask> world \uD83E\uDD16").ids();
        assertEquals("<s>Hello<mask> world \uD83E\uDD16</s>", roberta.decode(r, false, false));
        assertEquals("Hello world \uD83E\uDD16", roberta.decode(r, true, false));
    }

    @Test
    void robertaMaskEatsTheSpaceBeforeIt() {
        Encoding e = roberta.encode("Paris is the <mask> of France.", EncodeOptions.DEFAULT.withAddSpecialTokens(false));
        assertEquals(50264, e.idAt(3));
        assertEquals("<mask>", e.tokenAt(3)); // legacy files: slow-tokenizer token strings
        Tokenizer json = roundTrip(roberta);
        Encoding j = json.encode("Paris is the <mask> of France.", EncodeOptions.DEFAULT.withAddSpecialTokens(false));
        assertEquals(" <mask>", j.tokenAt(3)); // Rust reports the matched text
        assertEquals(13, j.startAt(3)); // offsets trimmed of the eaten space by the post-processor
        assertEquals(19, j.endAt(3));
    }

    @Test
    void prefixSpaceSlowVersusRust() {
        Tokenizer slow = Tokenizer.fromBpeFiles(Shared.path("fixtures/vocab/roberta-base/vocab.json"),
                Shared.path("fixtures/vocab/roberta-base/merges.txt"), java.util.Map.of("add_prefix_space", true));
        // RobertaTokenizer (slow) puts one space in front of the whole text, special tokens included
        assertEquals(List.of("\u0120", "<s>", "hello"), slow.tokenize("<s>hello"));
        assertEquals(List.of("\u0120Hello", "<mask>", "\u0120world"), slow.tokenize("Hello <mask> world"));
        // Rust adds it in front of every piece between special tokens
        Tokenizer rust = roundTrip(slow);
        assertEquals(List.of("<s>", "\u0120hello"), rust.tokenize("<s>hello"));
    }

    static Tokenizer roundTrip(Tokenizer t) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("tok", ".json");
            t.save(f);
            Tokenizer r = Tokenizer.fromTokenizerJson(f);
            java.nio.file.Files.delete(f);
            return r;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
