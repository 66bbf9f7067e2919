package dev.distil4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceCleanerTest {
    // BERT's ids: [PAD]=0, [UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103
    private static final SpecialTokenIds BERT = new SpecialTokenIds(101, 102, 0, 103, 100);
    private static final int CLS = 101;
    private static final int SEP = 102;
    private static final int UNK = 100;

    /** [CLS] 1000 1001 ... [SEP] with {@code n} ordinary tokens. */
    private static int[] seq(int n) {
        int[] s = new int[n + 2];
        s[0] = CLS;
        for (int i = 0; i < n; i++) {
            s[i + 1] = 1000 + i;
        }
        s[n + 1] = SEP;
        return s;
    }

    private static int[] ints(int... v) {
        return v;
    }

    @Test
    void longSequencesAreCutIntoChunksEachWrappedInClsAndSep() {
        // 15 tokens, max 8: chunks of 6 over the whole sequence (its cls/sep included):
        // [CLS 1000..1004] [1005..1010] [1011 1012 SEP]
        TokenSequences in = TokenSequences.of(List.of(seq(13), seq(4)));
        SequenceCleaner.Result r = SequenceCleaner.clean(in, BERT, new SequenceCleaner.Options(8, 0, 0.5));
        assertThat(r.splitSequences()).isEqualTo(1);
        assertThat(r.sequences().size()).isEqualTo(4);
        assertThat(r.sequences().sequence(0)).containsExactly(CLS, 1000, 1001, 1002, 1003, 1004, SEP);
        assertThat(r.sequences().sequence(1)).containsExactly(CLS, 1005, 1006, 1007, 1008, 1009, 1010, SEP);
        assertThat(r.sequences().sequence(2)).containsExactly(CLS, 1011, 1012, SEP);
        assertThat(r.sequences().sequence(3)).containsExactly(seq(4));
        // exactly max: untouched; one more: split, and a tail of only [SEP] becomes [CLS SEP]
        TokenSequences edge = TokenSequences.of(List.of(seq(6), seq(7)));
        SequenceCleaner.Result e = SequenceCleaner.clean(edge, BERT, new SequenceCleaner.Options(8, 0, 0.5));
        assertThat(e.sequences().sequence(0)).containsExactly(seq(6));
        assertThat(e.sequences().sequence(1)).containsExactly(CLS, 1000, 1001, 1002, 1003, 1004, SEP);
        assertThat(e.sequences().sequence(2)).containsExactly(CLS, 1005, 1006, SEP);
        TokenSequences tail = TokenSequences.of(List.of(seq(11))); // 13 = 6 + 6 + 1
        SequenceCleaner.Result t = SequenceCleaner.clean(tail, BERT, new SequenceCleaner.Options(8, 0, 0.5));
        assertThat(t.sequences().size()).isEqualTo(3);
        assertThat(t.sequences().sequence(2)).containsExactly(CLS, SEP);
        for (int i = 0; i < t.sequences().size(); i++) {
            assertThat(t.sequences().length(i)).isLessThanOrEqualTo(8);
        }
    }

    @Test
    void sequencesOfElevenTokensOrFewerAreRemoved() {
        TokenSequences in = TokenSequences.of(List.of(seq(9), seq(10), seq(0), seq(30)));
        SequenceCleaner.Result r = SequenceCleaner.clean(in, BERT, SequenceCleaner.Options.DEFAULT);
        assertThat(r.removedShort()).isEqualTo(2);
        assertThat(r.sequences().size()).isEqualTo(2);
        assertThat(r.sequences().length(0)).isEqualTo(12);
        assertThat(r.sequences().length(1)).isEqualTo(32);
        // splitting runs first, so short tail chunks are dropped too: 600 + 2 tokens at 512 -> 512 + [CLS ..92.. SEP]
        TokenSequences longOne = TokenSequences.of(List.of(seq(600), seq(510 + 1)));
        SequenceCleaner.Result l = SequenceCleaner.clean(longOne, BERT, SequenceCleaner.Options.DEFAULT);
        assertThat(l.splitSequences()).isEqualTo(2);
        assertThat(l.sequences().lengths()).containsExactly(511, 93, 511);
        assertThat(l.removedShort()).isEqualTo(1); // the tail [CLS 1510 SEP] of the second
    }

    @Test
    void sequencesHalfUnknownOrMoreAreRemoved() {
        int[] half = seq(10); // 12 tokens
        int[] lessThanHalf = seq(10);
        for (int i = 1; i <= 6; i++) {
            half[i] = UNK;
        }
        for (int i = 1; i <= 5; i++) {
            lessThanHalf[i] = UNK;
        }
        TokenSequences in = TokenSequences.of(List.of(half, lessThanHalf));
        SequenceCleaner.Result r = SequenceCleaner.clean(in, BERT, SequenceCleaner.Options.DEFAULT);
        assertThat(r.removedUnknown()).isEqualTo(1);
        assertThat(r.removedShort()).isZero();
        assertThat(r.sequences().size()).isEqualTo(1);
        assertThat(r.sequences().sequence(0)).containsExactly(lessThanHalf);
        // a tokenizer without an unknown token keeps them
        SpecialTokenIds noUnk = new SpecialTokenIds(CLS, SEP, 0, 103, -1);
        assertThat(SequenceCleaner.clean(in, noUnk, SequenceCleaner.Options.DEFAULT).sequences().size()).isEqualTo(2);
        // a short sequence full of unknowns counts as short (the short filter runs first)
        int[] shortUnk = ints(CLS, UNK, UNK, SEP);
        assertThat(SequenceCleaner.clean(TokenSequences.of(List.of(shortUnk)), BERT, SequenceCleaner.Options.DEFAULT))
                .extracting(SequenceCleaner.Result::removedShort, SequenceCleaner.Result::removedUnknown)
                .containsExactly(1, 0);
    }

    @Test
    void sequencesMustBeWrapped() {
        TokenSequences bad = TokenSequences.of(List.of(seq(12), ints(1000, 1001, SEP)));
        assertThatThrownBy(() -> SequenceCleaner.clean(bad, BERT, SequenceCleaner.Options.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence 1");
        assertThatThrownBy(() -> new SequenceCleaner.Options(2, 11, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void realTextWithTheTinyTokenizer(@TempDir Path dir) throws IOException {
        // the tiny vocabulary maps emoji to [UNK]=2; [CLS]=3, [SEP]=4
        Tokenizer tiny = Tokenizer.fromDirectory(Shared.path("fixtures/models/distilbert-mlm"));
        SpecialTokenIds sp = SpecialTokenIds.of(tiny);
        assertThat(sp).isEqualTo(new SpecialTokenIds(3, 4, 0, 5, 2));
        assertThat(sp.all()).containsExactly(0, 2, 3, 4, 5);
        Path f = dir.resolve("t.txt");
        String words = IntStream.range(0, 40).mapToObj(i -> "the cat is on the mat").reduce((a, b) -> a + " " + b)
                .orElseThrow();
        Files.writeString(f, String.join("\n", "🤖 🤖 🤖 🤖 🤖 🤖 🤖 the cat is", "the cat", words, "") + "\n");
        TokenSequences raw = new CorpusBinarizer(tiny).binarize(List.of(f));
        assertThat(raw.size()).isEqualTo(4);
        SequenceCleaner.Result r = SequenceCleaner.clean(raw, sp, SequenceCleaner.Options.DEFAULT.withMaxModelInputSize(64));
        // the emoji line: 12 tokens, 7 of them [UNK]; "the cat" and the empty line: too short;
        // 240 words + 2 = 242 tokens -> chunks of 62 -> [CLS 61 SEP], [CLS 62 SEP] x 2, [CLS 55 SEP]
        assertThat(raw.length(0)).isEqualTo(12);
        assertThat(raw.length(2)).isEqualTo(242);
        assertThat(r.splitSequences()).isEqualTo(1);
        assertThat(r.removedUnknown()).isEqualTo(1);
        assertThat(r.removedShort()).isEqualTo(2);
        assertThat(r.sequences().lengths()).containsExactly(63, 64, 64, 57);
    }
}
