package dev.distil4j.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files crafted against the loaders: JSON nested past the parser's limit or followed by garbage,
 * ids at the top of the int range, Windows line ends and duplicates in vocab.txt, and regexes whose
 * matching recurses per character. Each loads correctly or fails with a TokenizerException naming
 * the file; none ends in another exception.
 */
class HardenedFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        return f;
    }

    private static ObjectNode qa() {
        return (ObjectNode) Shared.json(Shared.path("fixtures/goldens/distilbert-qa/tokenizer.json"));
    }

    private static String message(Runnable r) {
        return assertThrows(TokenizerException.class, r::run).getMessage();
    }

    @Test
    void jsonNestedPastTheLimitNamesTheFileAndPosition() throws IOException {
        List<String> deep = List.of("[".repeat(1001) + "]".repeat(1001), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000),
                "{\"version\": \"1.0\", \"model\": " + "[".repeat(5000) + "]".repeat(5000) + "}");
        for (String json : deep) {
            Path f = write("tokenizer.json", json);
            assertThat(message(() -> Tokenizer.fromTokenizerJson(f))).startsWith(f + ": line 1, column ")
                    .contains("malformed JSON: Document nesting depth").contains("maximum allowed (1000)")
                    .doesNotContain("StreamReadConstraints");
            // the same in the files beside vocab.txt and in vocab.json
            Files.copy(Shared.path("fixtures/tiny_vocab/vocab.txt"), dir.resolve("vocab.txt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.delete(f);
            Path cfg = write("tokenizer_config.json", json);
            assertThat(message(() -> Tokenizer.fromDirectory(dir))).startsWith(cfg.toString()).contains("nesting depth");
            Files.delete(cfg);
            Path vocabJson = write("vocab.json", json);
            assertThat(message(() -> Tokenizer.fromBpeFiles(vocabJson, Shared.path("fixtures/tiny_vocab/merges.txt"), Map.of())))
                    .startsWith(vocabJson.toString()).contains("nesting depth");
        }
    }

    @Test
    void contentAfterTheJsonValueIsRefused() throws IOException {
        String good = qa().toString();
        for (String tail : List.of("x", "}", "{}", " [1]", ",")) {
            Path f = write("tokenizer.json", good + tail);
            assertThat(message(() -> Tokenizer.fromTokenizerJson(f))).as(tail).startsWith(f + ": line 1, column ")
                    .contains("unexpected content after the value");
        }
        assertEquals(List.of("[CLS]", "hello", "[SEP]"), tokens(write("tokenizer.json", good + "\n\n"), "hello"));
    }

    private static List<String> tokens(Path tokenizerJson, String text) {
        return List.of(Tokenizer.fromTokenizerJson(tokenizerJson).encode(text).tokens());
    }

    @Test
    void idsAtTheTopOfTheIntRangeWorkWithoutAGiantTable() throws IOException {
        ObjectNode t = qa();
        ObjectNode vocab = (ObjectNode) t.get("model").get("vocab");
        vocab.put("hello", Integer.MAX_VALUE);
        vocab.put("world", Integer.MAX_VALUE - 1);
        Path f = write("tokenizer.json", t.toString());
        AtomicReference<Tokenizer> tok = new AtomicReference<>();
        long bytes = allocated(() -> tok.set(Tokenizer.fromTokenizerJson(f)));
        assertThat(bytes).isLessThan(64L << 20); // a dense id table would take 8 GB
        Encoding e = tok.get().encode("hello world");
        assertArrayEquals(new int[] {3, Integer.MAX_VALUE, Integer.MAX_VALUE - 1, 4}, e.ids());
        assertEquals("hello world", tok.get().decode(e.ids(), true, true));
        // past the int range: refused, not truncated to its low 32 bits
        for (String bad : List.of("2147483648", "4294967296", "-1", "1.5", "\"3\"")) {
            Path g = write("tokenizer.json", t.toString().replace("\"hello\":2147483647", "\"hello\":" + bad));
            assertThat(message(() -> Tokenizer.fromTokenizerJson(g))).as(bad).startsWith(g.toString())
                    .contains("$.model.vocab.hello").contains("vocabulary id must be an integer in 0..2147483647");
        }
    }

    @Test
    void bpeVocabularyWithTheLastIdHasNoIdLeftForNewSpecialTokens() throws IOException {
        Path vocabJson = write("vocab.json", "{\"a\": 0, \"b\": 2147483647}");
        Path merges = write("merges.txt", "#version: 0.2\n");
        assertThat(message(() -> Tokenizer.fromBpeFiles(vocabJson, merges, Map.of()))).startsWith(vocabJson.toString())
                .contains("no id is left for special token '<s>'");
    }

    private static long allocated(Runnable r) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        r.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    private static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s");

    @Test
    void vocabTxtWithWindowsOrOldMacLineEndsReadsAsPythonReadsIt() throws IOException {
        Path lf = write("vocab.txt", String.join("\n", VOCAB) + "\n");
        int[] want = Tokenizer.fromWordPieceVocab(lf, Map.of()).encode("hello worlds").ids();
        assertArrayEquals(new int[] {2, 5, 6, 7, 3}, want);
        for (String eol : List.of("\r\n", "\r")) {
            Path f = write("vocab.txt", String.join(eol, VOCAB) + eol);
            Tokenizer t = Tokenizer.fromWordPieceVocab(f, Map.of());
            assertArrayEquals(want, t.encode("hello worlds").ids(), eol.replace("\r", "CR").replace("\n", "LF"));
            assertEquals("[UNK]", t.decode(new int[] {1}));
        }
        // no final line end, mixed line ends
        Path mixed = write("vocab.txt", "[PAD]\r\n[UNK]\n[CLS]\r[SEP]\r\n[MASK]\nhello\r\nworld\n##s");
        assertArrayEquals(want, Tokenizer.fromWordPieceVocab(mixed, Map.of()).encode("hello worlds").ids());
    }

    @Test
    void vocabTxtWithDuplicateTokensOrNoUnknownTokenNamesTheFile() throws IOException {
        Path dup = write("vocab.txt", String.join("\n", VOCAB) + "\nhello\n");
        assertThat(message(() -> Tokenizer.fromWordPieceVocab(dup, Map.of())))
                .isEqualTo(dup + ": line 9: token 'hello' is already on line 6; each line must hold a different token");
        Path dupSpecial = write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[PAD]\n");
        assertThat(message(() -> Tokenizer.fromWordPieceVocab(dupSpecial, Map.of()))).contains("line 5: token '[PAD]' is already on line 1");
        Path noUnk = write("vocab.txt", "[PAD]\n[CLS]\n[SEP]\n[MASK]\nhello\n");
        assertThat(message(() -> Tokenizer.fromWordPieceVocab(noUnk, Map.of())))
                .isEqualTo(noUnk + ": the unknown token '[UNK]' is not in the vocabulary");
    }

    /** qa's tokenizer with its pre-tokenizer replaced by a Split on {@code regex}. */
    private Path withSplit(String regex, String behavior, boolean invert) throws IOException {
        ObjectNode t = qa();
        ObjectNode split = t.putObject("pre_tokenizer");
        split.put("type", "Split").put("behavior", behavior).put("invert", invert).putObject("pattern").put("Regex", regex);
        return write("split.json", t.toString());
    }

    /** Runs {@code r} on a thread with a 256 KiB stack (the build's -Xss8m would hide any recursion) and returns what it threw. */
    private static Throwable onSmallStack(Runnable r) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                r.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        return thrown.get();
    }

    @Test
    void splitRegexesThatRecursePerCharacterFailCleanly() throws Exception {
        Path f = withSplit("(?:a|b)+", "Isolated", false);
        Tokenizer tok = Tokenizer.fromTokenizerJson(f);
        for (int n : new int[] {5_000, 50_000}) {
            String text = "ab".repeat(n / 2);
            Throwable e = onSmallStack(() -> tok.encode(text));
            assertThat(e).isInstanceOf(TokenizerException.class)
                    .hasMessageContaining("pre-tokenizer Split: the regex /(?:a|b)+/ needs more stack than this thread has")
                    .hasMessageContaining("a text of " + n + " characters");
        }
        // a character class matches the same strings, and repeats without recursion: any length fits
        Tokenizer cls = Tokenizer.fromTokenizerJson(withSplit("[ab]+", "Isolated", false));
        // the first tokenizer still works, on the same small stack, for text it can match, and agrees with the class
        AtomicReference<List<String>> got = new AtomicReference<>();
        assertNull(onSmallStack(() -> got.set(List.of(tok.encode("ab ba, abba c").tokens()))));
        assertEquals(List.of(cls.encode("ab ba, abba c").tokens()), got.get());
        assertThat(got.get()).hasSizeGreaterThan(6);
        String big = "ab".repeat(100_000) + " c";
        AtomicReference<Encoding> enc = new AtomicReference<>();
        assertNull(onSmallStack(() -> enc.set(cls.encode(big))));
        // the 200,000-character piece is longer than a WordPiece word; " c" is not in the vocabulary
        assertEquals(List.of("[CLS]", "[UNK]", "[UNK]", "[SEP]"), List.of(enc.get().tokens()));
    }

    @Test
    void replaceNormalizerRegexesFailTheSameWay() throws Exception {
        ObjectNode t = qa();
        ArrayNode seq = t.putObject("normalizer").put("type", "Sequence").putArray("normalizers");
        seq.addObject().put("type", "Replace").put("content", "x").putObject("pattern").put("Regex", "(?:a|b)+");
        seq.addObject().put("type", "Lowercase");
        Tokenizer tok = Tokenizer.fromTokenizerJson(write("replace.json", t.toString()));
        assertEquals(List.of("[CLS]", "x", "c", "x", "[SEP]"), List.of(tok.encode("ab c ba").tokens()));
        Throwable e = onSmallStack(() -> tok.encode("ab".repeat(20_000)));
        assertThat(e).isInstanceOf(TokenizerException.class).hasMessageContaining("normalizer Replace: the regex /(?:a|b)+/");
    }

    @Test
    void invalidOrTooDeeplyNestedRegexesAreFileErrors() throws Exception {
        for (String bad : List.of("(unclosed", "[z-a]", "*", "(?<", "\\")) {
            Path f = withSplit(bad, "Isolated", false);
            assertThat(message(() -> Tokenizer.fromTokenizerJson(f))).as(bad).startsWith(f + ": $.pre_tokenizer.pattern: invalid regex");
        }
        // java.util.regex reports its own stack overflow while compiling as a syntax error
        Path deep = withSplit("(".repeat(50_000) + "a" + ")".repeat(50_000), "Isolated", false);
        Throwable e = onSmallStack(() -> Tokenizer.fromTokenizerJson(deep));
        assertThat(e).isInstanceOf(TokenizerException.class)
                .hasMessageStartingWith(deep + ": $.pre_tokenizer.pattern: invalid regex /(((")
                .hasMessageContaining("Stack overflow during pattern compilation");
    }
}
