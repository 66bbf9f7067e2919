package dev.distil4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
    private static final Tokenizer BERT = Tokenizer.fromDirectory(Shared.path("fixtures/vocab/bert-base-uncased"));
    private static final Tokenizer TINY = Tokenizer.fromDirectory(Shared.path("fixtures/models/distilbert-mlm"));

    @TempDir
    Path dir;

    @Test
    void linesAreWrappedInClsAndSepLikeBinarizedData() throws IOException {
        CorpusBinarizer bin = new CorpusBinarizer(BERT);
        for (String s : Sst2.sentences(300)) {
            assertThat(bin.encodeLine(s)).as(s).containsExactly(BERT.encode(s.strip()).ids());
        }
        assertThat(bin.encodeLine("  Hello World!\t")).containsExactly(101, 7592, 2088, 999, 102);
        assertThat(bin.encodeLine("")).containsExactly(101, 102);
        // Python's strip() also removes the no-break space Java's strip() keeps
        assertThat(CorpusBinarizer.pythonStrip("\u00a0\u2028 x \u0085\u3000")).isEqualTo("x");
        // RoBERTa: the slow tokenizer does not strip the spaces around <s> and </s> (see the roberta-base
        // goldens: "<pad> <unk>" -> <pad> Ġ <unk>), so the research project's "<s> text </s>" encodes
        // " text " — a space-prefixed first word and a trailing Ġ — which is reproduced, not "fixed"
        Tokenizer roberta = Tokenizer.fromDirectory(Shared.path("fixtures/models/roberta-mlm"));
        CorpusBinarizer rb = new CorpusBinarizer(roberta);
        for (String s : Sst2.sentences(100)) {
            int[] inner = roberta.encode(" " + s.strip() + " ", EncodeOptions.DEFAULT.withAddSpecialTokens(false)).ids();
            int[] expected = new int[inner.length + 2];
            System.arraycopy(inner, 0, expected, 1, inner.length);
            expected[inner.length + 1] = 2; // <s> = 0, </s> = 2
            assertThat(rb.encodeLine(s)).as(s).containsExactly(expected);
        }
        // the tiny model's own ids: [CLS]=3, [SEP]=4, emoji -> [UNK]=2
        assertThat(new CorpusBinarizer(TINY).encodeLine("🤖 🤖")).containsExactly(3, 2, 2, 4);
    }

    @Test
    void binarizeReadsEveryLineOfEveryFileInOrder() throws IOException {
        Path a = dir.resolve("a.txt");
        Path b = dir.resolve("b.txt");
        Files.writeString(a, "the cat sat\r\n\r\nhello world", StandardCharsets.UTF_8);
        Files.writeString(b, "good movie\n", StandardCharsets.UTF_8);
        TokenSequences s = new CorpusBinarizer(BERT).binarize(List.of(a, b));
        assertThat(s.size()).isEqualTo(4);
        assertThat(s.sequence(0)).containsExactly(BERT.encode("the cat sat").ids());
        assertThat(s.sequence(1)).containsExactly(101, 102);
        assertThat(s.sequence(2)).containsExactly(BERT.encode("hello world").ids());
        assertThat(s.sequence(3)).containsExactly(BERT.encode("good movie").ids());
        assertThat(s.totalTokens()).isEqualTo(5 + 2 + 4 + 4);
    }

    @Test
    void invalidUtf8NamesTheFile() throws IOException {
        Path f = dir.resolve("bad.txt");
        Files.write(f, new byte[] {'o', 'k', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThatThrownBy(() -> new CorpusBinarizer(BERT).binarize(List.of(f)))
                .isInstanceOf(IOException.class).hasMessageContaining("bad.txt").hasMessageContaining("UTF-8");
    }

    @Test
    void cacheRoundTripsAndIsReused() throws IOException {
        Path src = Sst2.corpusFile(dir, 2000);
        Path cache = dir.resolve("cache/sst2.bin");
        CorpusBinarizer bin = new CorpusBinarizer(BERT);
        CorpusBinarizer.Loaded first = bin.load(List.of(src), cache);
        assertThat(first.fromCache()).isFalse();
        assertThat(first.sequences().size()).isEqualTo(2000);
        CorpusCache.Header h = CorpusCache.readHeader(cache);
        assertThat(h.bytesPerId()).isEqualTo(2); // vocabulary 30522 < 65536: uint16
        assertThat(h.vocabSize()).isEqualTo(30522);
        assertThat(h.sequences()).isEqualTo(2000);
        assertThat(Files.size(cache)).isEqualTo(108 + 4 * 2000 + 2 * first.sequences().totalTokens() + 4);

        CorpusBinarizer.Loaded second = new CorpusBinarizer(BERT).load(List.of(src), cache);
        assertThat(second.fromCache()).isTrue();
        assertThat(second.sequences()).isEqualTo(first.sequences());
        assertThat(second.sequences()).isEqualTo(bin.binarize(List.of(src)));
    }

    @Test
    void largeVocabulariesAreStoredAsInt32() throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        List<int[]> seqs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            seqs.add(r.ints(r.nextInt(0, 30), 0, 250_000).toArray());
        }
        TokenSequences s = TokenSequences.of(seqs);
        CorpusCache.Key key = new CorpusCache.Key("ab".repeat(32), "cd".repeat(32));
        Path f = dir.resolve("big.bin");
        CorpusCache.write(f, s, 250_000, key);
        assertThat(CorpusCache.readHeader(f).bytesPerId()).isEqualTo(4);
        assertThat(CorpusCache.readHeader(f).key()).isEqualTo(key);
        assertThat(CorpusCache.read(f)).isEqualTo(s);
        assertThatThrownBy(() -> CorpusCache.write(dir.resolve("x.bin"), s, 1000, key))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the vocabulary");
    }

    @Test
    void cacheIsRebuiltWhenTheSourcesOrTheTokenizerChange() throws IOException {
        Path src = dir.resolve("c.txt");
        Files.writeString(src, "a first sentence\nanother one\n");
        Path cache = dir.resolve("c.bin");
        assertThat(new CorpusBinarizer(BERT).load(List.of(src), cache).fromCache()).isFalse();
        assertThat(new CorpusBinarizer(BERT).load(List.of(src), cache).fromCache()).isTrue();

        Files.writeString(src, "a first sentence\nanother two\n");
        CorpusBinarizer.Loaded changed = new CorpusBinarizer(BERT).load(List.of(src), cache);
        assertThat(changed.fromCache()).isFalse();
        assertThat(changed.sequences().sequence(1)).containsExactly(BERT.encode("another two").ids());

        // same files, another file order: other sources
        Path src2 = dir.resolve("d.txt");
        Files.writeString(src2, "third\n");
        assertThat(new CorpusBinarizer(BERT).load(List.of(src, src2), cache).fromCache()).isFalse();
        assertThat(new CorpusBinarizer(BERT).load(List.of(src2, src), cache).fromCache()).isFalse();
        assertThat(new CorpusBinarizer(BERT).load(List.of(src2, src), cache).fromCache()).isTrue();

        // another tokenizer (its vocabulary differs) must not reuse the ids
        CorpusBinarizer.Loaded tiny = new CorpusBinarizer(TINY).load(List.of(src2, src), cache);
        assertThat(tiny.fromCache()).isFalse();
        assertThat(tiny.sequences().sequence(0)[0]).isEqualTo(3);
        assertThat(new CorpusBinarizer(TINY).load(List.of(src2, src), cache).fromCache()).isTrue();
        Tokenizer cased = Tokenizer.fromWordPieceVocab(Shared.path("fixtures/vocab/bert-base-uncased/vocab.txt"),
                java.util.Map.of("do_lower_case", false));
        assertThat(new CorpusBinarizer(cased).tokenizerDigest()).isNotEqualTo(new CorpusBinarizer(BERT).tokenizerDigest());
        assertThat(new CorpusBinarizer(BERT).tokenizerDigest())
                .isEqualTo(new CorpusBinarizer(Tokenizer.fromDirectory(Shared.path("fixtures/vocab/bert-base-uncased")))
                        .tokenizerDigest());
    }

    @Test
    void corruptCachesGiveAClearError() throws IOException {
        Path src = dir.resolve("e.txt");
        Files.writeString(src, "some words for the cache\nand more words\n");
        Path cache = dir.resolve("e.bin");
        new CorpusBinarizer(BERT).load(List.of(src), cache);
        byte[] good = Files.readAllBytes(cache);

        byte[] flipped = good.clone();
        flipped[good.length - 10] ^= 0x40; // an id byte
        Files.write(cache, flipped);
        assertThatThrownBy(() -> CorpusCache.read(cache)).isInstanceOf(CorpusCacheException.class)
                .hasMessageContaining(cache.toString()).hasMessageContaining("payload checksum mismatch")
                .hasMessageContaining("delete the file");
        // load() reports it instead of silently re-tokenising
        assertThatThrownBy(() -> new CorpusBinarizer(BERT).load(List.of(src), cache))
                .isInstanceOf(CorpusCacheException.class);

        byte[] header = good.clone();
        header[20] ^= 1;
        Files.write(cache, header);
        assertThatThrownBy(() -> CorpusCache.readHeader(cache)).isInstanceOf(CorpusCacheException.class)
                .hasMessageContaining("header checksum mismatch");

        Files.write(cache, java.util.Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> CorpusCache.read(cache)).isInstanceOf(CorpusCacheException.class)
                .hasMessageContaining("truncated");

        Files.writeString(cache, "this is a text file and no cache at all, long enough to hold a header ........"
                + "................................................................");
        assertThatThrownBy(() -> CorpusCache.read(cache)).isInstanceOf(CorpusCacheException.class)
                .hasMessageContaining("bad magic");

        Files.write(cache, new byte[10]);
        assertThatThrownBy(() -> CorpusCache.read(cache)).isInstanceOf(CorpusCacheException.class)
                .hasMessageContaining("shorter than a header");

        Files.write(cache, good);
        assertThat(CorpusCache.read(cache)).isEqualTo(new CorpusBinarizer(BERT).binarize(List.of(src)));
    }
}
