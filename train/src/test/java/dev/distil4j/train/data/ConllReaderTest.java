package dev.distil4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distil4j.train.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConllReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsTheRealCoNLL2003ValidationFile() {
        ReadResult<TokenExample> r = ConllReader.read(Shared.path("data/conll2003/valid.txt"));
        assertThat(r.size()).isEqualTo(3250);
        assertThat(r.skippedCount()).isZero();
        TokenExample first = r.examples().get(0);
        assertThat(first.words()).containsExactly("CRICKET", "-", "LEICESTERSHIRE", "TAKE", "OVER", "AT", "TOP",
                "AFTER", "INNINGS", "VICTORY", ".");
        assertThat(first.tags()).containsExactly("O", "O", "B-ORG", "O", "O", "O", "O", "O", "O", "O", "O");
        assertThat(first.origin().line()).isEqualTo(3);
        TokenExample second = r.examples().get(1);
        assertThat(second.words()).containsExactly("LONDON", "1996-08-30");
        assertThat(second.origin().line()).isEqualTo(15);

        LabelSet tags = LabelSet.fromTokenExamples(r.examples());
        assertThat(tags.labels()).containsExactly("B-LOC", "B-MISC", "B-ORG", "B-PER", "I-LOC", "I-MISC", "I-ORG",
                "I-PER", "O");
        long tokens = r.examples().stream().mapToLong(TokenExample::size).sum();
        assertThat(tokens).isEqualTo(51_362);
    }

    @Test
    void lastFieldIsTheTagAndCrlfAndDocstartAreHandled() throws IOException {
        Path p = dir.resolve("four.txt");
        Files.writeString(p, "-DOCSTART- -X- -X- O\r\n\r\nEU NNP B-NP B-ORG\r\nrejects VBZ B-VP O\r\n"
                + "-DOCSTART- -X- -X- O\r\nPeter\tNNP\tB-NP\tB-PER\r\n   \r\nBlackburn NNP B-NP B-PER");
        ReadResult<TokenExample> r = ConllReader.read(p);
        assertThat(r.examples()).hasSize(3);
        assertThat(r.examples().get(0).words()).containsExactly("EU", "rejects");
        assertThat(r.examples().get(0).tags()).containsExactly("B-ORG", "O");
        // -DOCSTART- also ends a sentence, as in Hugging Face's conll2003 loader
        assertThat(r.examples().get(1).words()).containsExactly("Peter");
        assertThat(r.examples().get(1).origin().line()).isEqualTo(6);
        assertThat(r.examples().get(2).words()).containsExactly("Blackburn");
        assertThat(r.examples().get(2).tags()).containsExactly("B-PER");
    }

    @Test
    void aLineWithoutTagNamesFileAndLine() throws IOException {
        Path p = dir.resolve("notag.conll");
        Files.writeString(p, "John B-PER\nlives O\n\nIn O\nParis\n. O\n\nOK O\n");
        assertThatThrownBy(() -> ConllReader.read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("notag.conll:5")
                .hasMessageContaining("found one field 'Paris'");
        ReadResult<TokenExample> r = ConllReader.read(p, ReadOptions.defaults().withSkipBadRecords(true));
        // the whole sentence with the bad line goes, counted once
        assertThat(r.examples()).extracting(TokenExample::words).containsExactly(
                java.util.List.of("John", "lives"), java.util.List.of("OK"));
        assertThat(r.skipped()).singleElement().asString().contains("notag.conll:5");
    }

    @Test
    void anUnknownTagNamesFileAndLine() throws IOException {
        Path p = dir.resolve("tags.txt");
        Files.writeString(p, "John B-PER\n\nBerlin B-LOC\nis O\nbig B-SIZE\n");
        LabelSet tags = LabelSet.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC");
        assertThatThrownBy(() -> ConllReader.read(p, ReadOptions.defaults().withLabels(tags)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("tags.txt:5")
                .hasMessageContaining("tag of 'big'")
                .hasMessageContaining("unknown label 'B-SIZE'");
        ReadResult<TokenExample> r = ConllReader.read(p, ReadOptions.defaults().withLabels(tags).withSkipBadRecords(true));
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.skippedCount()).isEqualTo(1);
    }
}
