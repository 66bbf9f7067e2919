package dev.distil4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distil4j.train.Shared;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextDataReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    // ------------------------------------------------------------------ real GLUE data

    @Test
    void readsTheRealSst2DevFile() {
        ReadResult<TextExample> r = TextDataReader.readTsv(Shared.path("data/glue/SST-2/dev.tsv"), ReadOptions.defaults());
        assertThat(r.size()).isEqualTo(872);
        assertThat(r.skippedCount()).isZero();
        TextExample first = r.examples().get(0);
        // kept exactly as GLUE wrote it, trailing space included
        assertThat(first.text()).isEqualTo("it 's a charming and often affecting journey . ");
        assertThat(first.textPair()).isNull();
        assertThat(first.label()).isEqualTo("1");
        assertThat(first.origin().line()).isEqualTo(2);
        assertThat(r.examples().get(1).label()).isEqualTo("0");
        assertThat(r.examples().get(871).origin().line()).isEqualTo(873);
        assertThat(r.examples().stream().filter(e -> e.label().equals("0")).count()).isEqualTo(428);
        assertThat(r.examples().stream().filter(e -> e.label().equals("1")).count()).isEqualTo(444);

        LabelSet labels = LabelSet.fromExamples(r.examples());
        assertThat(labels.labels()).containsExactly("0", "1");
        assertThat(labels.id2label()).containsExactly(java.util.Map.entry(0, "0"), java.util.Map.entry(1, "1"));
    }

    @Test
    void readsTheRealSst2TrainFileByExtension() {
        ReadResult<TextExample> r = TextDataReader.read(Shared.path("data/glue/SST-2/train.tsv"),
                ReadOptions.defaults().withLabels(LabelSet.of("0", "1")));
        assertThat(r.size()).isEqualTo(67_349);
        assertThat(r.examples().get(0).text()).isEqualTo("hide new secretions from the parental units ");
    }

    // ------------------------------------------------------------------ TSV

    @Test
    void tsvTakesQuotesLiterallyAndToleratesCrlfAndBom() throws IOException {
        Path p = write("q.tsv", "\uFEFFsentence\tlabel\r\n\"quoted, start\tpos\r\n\r\nit's \"so\" good\tneg\r\n");
        ReadResult<TextExample> r = TextDataReader.readTsv(p, ReadOptions.defaults());
        assertThat(r.examples()).extracting(TextExample::text).containsExactly("\"quoted, start", "it's \"so\" good");
        assertThat(r.examples()).extracting(TextExample::label).containsExactly("pos", "neg");
        assertThat(r.examples()).extracting(e -> e.origin().line()).containsExactly(2, 4);
    }

    @Test
    void tsvPicksPairColumnsFromTheHeaderAsRunGlueDoes() throws IOException {
        Path mnli = write("mnli.tsv", "index\tsentence1\tsentence2\tlabel\n0\tA man sleeps.\tA person rests.\tentailment\n");
        TextExample e = TextDataReader.readTsv(mnli, ReadOptions.defaults()).examples().get(0);
        assertThat(e.text()).isEqualTo("A man sleeps.");
        assertThat(e.textPair()).isEqualTo("A person rests.");
        assertThat(e.label()).isEqualTo("entailment");

        Path qnli = write("qnli.tsv", "index\tquestion\tsentence\tlabel\n0\tWho?\tHe did.\tentailment\n");
        TextExample q = TextDataReader.readTsv(qnli, ReadOptions.defaults()).examples().get(0);
        assertThat(q.text()).isEqualTo("Who?");
        assertThat(q.textPair()).isEqualTo("He did.");

        Path plain = write("plain.tsv", "id\ttext\tlabel\n7\thello there\tspam\n");
        TextExample t = TextDataReader.readTsv(plain, ReadOptions.defaults()).examples().get(0);
        assertThat(t.text()).isEqualTo("hello there");
        assertThat(t.isPair()).isFalse();
    }

    @Test
    void tsvExplicitColumnsAndNoLabels() throws IOException {
        Path p = write("x.tsv", "a\tb\tgold\tc\nfirst\tsecond\tyes\tthird\n");
        TextExample e = TextDataReader.readTsv(p, ReadOptions.defaults().withColumns("c", "a").withLabelColumn("gold"))
                .examples().get(0);
        assertThat(e.text()).isEqualTo("third");
        assertThat(e.textPair()).isEqualTo("first");
        assertThat(e.label()).isEqualTo("yes");

        TextExample u = TextDataReader.readTsv(p, ReadOptions.defaults().withColumns("b", null).withoutLabels())
                .examples().get(0);
        assertThat(u.text()).isEqualTo("second");
        assertThat(u.label()).isNull();
    }

    @Test
    void tsvWrongFieldCountNamesFileAndLine() throws IOException {
        Path p = write("bad-count.tsv", "sentence\tlabel\ngood one\t1\nno label here\nthree\tfields\there\n");
        assertThatThrownBy(() -> TextDataReader.readTsv(p, ReadOptions.defaults()))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad-count.tsv:3")
                .hasMessageContaining("expected 2 tab-separated fields as in the header, found 1");

        ReadResult<TextExample> r = TextDataReader.readTsv(p, ReadOptions.defaults().withSkipBadRecords(true));
        assertThat(r.examples()).extracting(TextExample::text).containsExactly("good one");
        assertThat(r.skippedCount()).isEqualTo(2);
        assertThat(r.skipped().get(0)).contains("bad-count.tsv:3");
        assertThat(r.skipped().get(1)).contains("bad-count.tsv:4").contains("found 3");
    }

    @Test
    void tsvMissingColumnNamesFileLineAndColumn() throws IOException {
        Path p = write("nolabel.tsv", "sentence\tscore\nfine\t1\n");
        assertThatThrownBy(() -> TextDataReader.readTsv(p, ReadOptions.defaults()))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("nolabel.tsv:1")
                .hasMessageContaining("column 'label'")
                .hasMessageContaining("missing");
        Path q = write("notext.tsv", "body\tlabel\nfine\t1\n");
        assertThatThrownBy(() -> TextDataReader.readTsv(q, ReadOptions.defaults().withSkipBadRecords(true)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("notext.tsv:1")
                .hasMessageContaining("no text column");
        Path empty = write("empty.tsv", "");
        assertThatThrownBy(() -> TextDataReader.readTsv(empty, ReadOptions.defaults()))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("empty.tsv:1")
                .hasMessageContaining("header");
    }

    @Test
    void tsvEmptyTextAndEmptyLabelAreBadRecords() throws IOException {
        Path p = write("empties.tsv", "sentence\tlabel\nok\t0\n  \t1\nfine\t\n");
        assertThatThrownBy(() -> TextDataReader.readTsv(p, ReadOptions.defaults()))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("empties.tsv:3")
                .hasMessageContaining("column 'sentence'")
                .hasMessageContaining("empty text");
        ReadResult<TextExample> r = TextDataReader.readTsv(p, ReadOptions.defaults().withSkipBadRecords(true));
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.skipped()).hasSize(2);
        assertThat(r.skipped().get(1)).contains("empties.tsv:4").contains("column 'label'").contains("empty label");
    }

    @Test
    void unknownLabelWhenLabelsAreGivenNamesFileAndLine() throws IOException {
        Path p = write("labels.tsv", "sentence\tlabel\na\t0\nb\t1\nc\t2\n");
        assertThatThrownBy(() -> TextDataReader.readTsv(p, ReadOptions.defaults().withLabels(LabelSet.of("0", "1"))))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("labels.tsv:4")
                .hasMessageContaining("unknown label '2'");
        // without a label set every label is accepted, and the set is built from the data
        ReadResult<TextExample> r = TextDataReader.readTsv(p, ReadOptions.defaults());
        assertThat(LabelSet.fromExamples(r.examples()).labels()).containsExactly("0", "1", "2");
    }

    @Test
    void regressionLabelsMustBeNumbers() throws IOException {
        Path p = write("stsb.tsv", "sentence1\tsentence2\tlabel\na\tb\t3.800\nc\td\t1e-1\ne\tf\thigh\n");
        assertThatThrownBy(() -> TextDataReader.readTsv(p, ReadOptions.defaults().withRegression(true)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("stsb.tsv:4")
                .hasMessageContaining("'high' is not a number");
        ReadResult<TextExample> r = TextDataReader.readTsv(p,
                ReadOptions.defaults().withRegression(true).withSkipBadRecords(true));
        assertThat(r.examples()).extracting(TextExample::target).containsExactly(3.8f, 0.1f);
        assertThat(r.skippedCount()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ CSV

    @Test
    void csvFollowsRfc4180Quoting() throws IOException {
        Path p = write("data.csv", "text,label\r\n"
                + "\"Hello, world\",pos\r\n"
                + "\"She said \"\"no\"\"\",neg\r\n"
                + "\"two\r\nlines\",pos\r\n"
                + "plain,neg\r\n"
                + "\"\"\"quoted\"\" start\",pos");
        ReadResult<TextExample> r = TextDataReader.readCsv(p, ReadOptions.defaults());
        assertThat(r.examples()).extracting(TextExample::text)
                .containsExactly("Hello, world", "She said \"no\"", "two\r\nlines", "plain", "\"quoted\" start");
        assertThat(r.examples()).extracting(TextExample::label).containsExactly("pos", "neg", "pos", "neg", "pos");
        // a record's line is where it starts; the multi-line field moves the next one down
        assertThat(r.examples()).extracting(e -> e.origin().line()).containsExactly(2, 3, 4, 6, 7);
    }

    @Test
    void csvPairsAndNumericLabels() throws IOException {
        Path p = write("pairs.csv", "sentence1,sentence2,label\nA,B,1\nC,D,0\n");
        ReadResult<TextExample> r = TextDataReader.read(p, ReadOptions.defaults());
        assertThat(r.examples()).extracting(TextExample::textPair).containsExactly("B", "D");
        assertThat(LabelSet.fromExamples(r.examples()).labels()).containsExactly("0", "1");
    }

    @Test
    void csvBadRecordsNameFileAndLine() throws IOException {
        Path p = write("bad.csv", "text,label\n"
                + "good,1\n"
                + "bad \"quote,1\n"
                + "\"closed\" trailing,1\n"
                + "one field only\n"
                + "also good,0\n"
                + "\"never closed,1\n");
        assertThatThrownBy(() -> TextDataReader.readCsv(p, ReadOptions.defaults()))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad.csv:3")
                .hasMessageContaining("quote inside unquoted field 1");
        ReadResult<TextExample> r = TextDataReader.readCsv(p, ReadOptions.defaults().withSkipBadRecords(true));
        assertThat(r.examples()).extracting(TextExample::text).containsExactly("good", "also good");
        assertThat(r.skipped()).hasSize(4);
        assertThat(r.skipped().get(1)).contains("bad.csv:4").contains("after the closing quote");
        assertThat(r.skipped().get(2)).contains("bad.csv:5").contains("expected 2 comma-separated fields");
        assertThat(r.skipped().get(3)).contains("bad.csv:7").contains("never closed");
    }

    // ------------------------------------------------------------------ JSON Lines

    @Test
    void jsonLinesWithStringAndNumberLabels() throws IOException {
        Path p = write("d.jsonl", "{\"text\": \"great movie\", \"label\": 1}\n"
                + "\n"
                + "{\"text\": \"awful\", \"label\": \"0\", \"extra\": [1, 2]}\n"
                + "{\"label\": 2, \"text\": \"caf\\u00e9 \\ud83d\\ude00\"}\n");
        ReadResult<TextExample> r = TextDataReader.readJsonLines(p, ReadOptions.defaults());
        assertThat(r.examples()).extracting(TextExample::text).containsExactly("great movie", "awful", "café 😀");
        assertThat(r.examples()).extracting(TextExample::label).containsExactly("1", "0", "2");
        assertThat(r.examples()).extracting(e -> e.origin().line()).containsExactly(1, 3, 4);
        assertThat(LabelSet.fromExamples(r.examples()).labels()).containsExactly("0", "1", "2");
    }

    @Test
    void jsonLinesPairFieldsAndRegression() throws IOException {
        Path p = write("sts.json", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 4.25}\n");
        TextExample e = TextDataReader.read(p, ReadOptions.defaults().withRegression(true)).examples().get(0);
        assertThat(e.text()).isEqualTo("a");
        assertThat(e.textPair()).isEqualTo("b");
        assertThat(e.target()).isEqualTo(4.25f);
    }

    @Test
    void jsonLinesBadRecordsNameFileLineAndField() throws IOException {
        Path p = write("bad.jsonl", "{\"text\": \"ok\", \"label\": \"a\"}\n"
                + "{\"text\": \"broken\", \"label\": }\n"
                + "[\"not\", \"an object\"]\n"
                + "{\"label\": \"a\"}\n"
                + "{\"text\": 5, \"label\": \"a\"}\n"
                + "{\"text\": \"x\", \"label\": {\"nested\": 1}}\n"
                + "{\"text\": \"y\", \"label\": \"c\"}\n"
                + "{\"text\": \"z\", \"label\": \"b\"}\n");
        assertThatThrownBy(() -> TextDataReader.readJsonLines(p, ReadOptions.defaults()))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("bad.jsonl:2")
                .hasMessageContaining("invalid JSON at column");
        ReadResult<TextExample> r = TextDataReader.readJsonLines(p,
                ReadOptions.defaults().withLabels(LabelSet.of("a", "b")).withSkipBadRecords(true));
        assertThat(r.examples()).extracting(TextExample::text).containsExactly("ok", "z");
        assertThat(r.skipped()).hasSize(6);
        assertThat(r.skipped().get(1)).contains("bad.jsonl:3").contains("expected a JSON object, found array");
        assertThat(r.skipped().get(2)).contains("bad.jsonl:4").contains("field 'text'").contains("missing");
        assertThat(r.skipped().get(3)).contains("bad.jsonl:5").contains("field 'text'").contains("expected a string");
        assertThat(r.skipped().get(4)).contains("bad.jsonl:6").contains("field 'label'");
        assertThat(r.skipped().get(5)).contains("bad.jsonl:7").contains("unknown label 'c'");
    }

    @Test
    void invalidUtf8IsAnErrorWithTheLine() throws IOException {
        Path p = dir.resolve("latin1.tsv");
        byte[] head = "sentence\tlabel\nfine\t1\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'c', 'a', 'f', (byte) 0xE9, '\t', '1', '\n'};
        byte[] all = new byte[head.length + bad.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(bad, 0, all, head.length, bad.length);
        Files.write(p, all);
        assertThatThrownBy(() -> TextDataReader.readTsv(p, ReadOptions.defaults().withSkipBadRecords(true)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("latin1.tsv:3")
                .hasMessageContaining("UTF-8");
    }

    @Test
    void unknownExtensionIsRefused() throws IOException {
        Path p = write("data.txt", "x");
        assertThatThrownBy(() -> TextDataReader.read(p, ReadOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("data.txt");
        assertThat(List.of(".tsv", ".csv", ".jsonl", ".json")).allSatisfy(ext ->
                assertThat(TextDataReader.read(write("ok" + ext, ext.equals(".tsv") ? "text\tlabel\nhi\t1\n"
                        : ext.equals(".csv") ? "text,label\nhi,1\n" : "{\"text\":\"hi\",\"label\":1}\n"),
                        ReadOptions.defaults()).examples().get(0).text()).isEqualTo("hi"));
    }
}
