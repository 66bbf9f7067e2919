package dev.distil4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputRecordsTest {
    static List<InputRecords.Record> read(String text, InputRecords.Format f) {
        List<InputRecords.Record> out = new ArrayList<>();
        try (InputRecords r = InputRecords.open(null, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), f)) {
            r.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void jsonLinesWithLineNumbers() {
        List<InputRecords.Record> rs = read("\uFEFF{\"text\": \"a\", \"text_pair\": \"b\"}\n\n\"bare\"\n[1]\n{bad\n", InputRecords.Format.AUTO);
        assertThat(rs).hasSize(4);
        assertThat(rs.get(0).text("text")).isEqualTo("a");
        assertThat(rs.get(0).optionalText("text_pair")).isEqualTo("b");
        assertThat(rs.get(0).optionalText("other")).isNull();
        assertThat(rs.get(1).line()).isEqualTo(3);
        assertThat(rs.get(1).text("text")).isEqualTo("bare");
        assertThat(rs.get(2).error()).isEqualTo("expected a JSON object or string, got array");
        assertThat(rs.get(3).where()).isEqualTo("line 5");
        assertThat(rs.get(3).error()).startsWith("invalid JSON (column 2)");
        assertThatThrownBy(() -> rs.get(0).text("question")).hasMessage("missing \"question\" (fields: text, text_pair)");
    }

    @Test
    void csvWithQuotesAndLineBreaks() {
        List<InputRecords.Record> rs = read("question,context\n\"Who?\",\"Anna, \"\"the\"\" baker\nof Zürich\"\r\nWhy?,Because\nonly-one\n",
                InputRecords.Format.CSV);
        assertThat(rs).hasSize(3);
        assertThat(rs.get(0).text("context")).isEqualTo("Anna, \"the\" baker\nof Zürich");
        assertThat(rs.get(0).line()).isEqualTo(2);
        assertThat(rs.get(1).line()).isEqualTo(4);
        assertThat(rs.get(1).text("question")).isEqualTo("Why?");
        assertThat(rs.get(2).error()).isEqualTo("expected 2 CSV fields (question, context), got 1");
    }

    @Test
    void plainLinesAndArguments() {
        List<InputRecords.Record> rs = read("first line\n\n  second {not json}\n", InputRecords.Format.AUTO);
        assertThat(rs).extracting(r -> r.text("text")).containsExactly("first line", "  second {not json}");
        assertThat(rs).extracting(InputRecords.Record::line).containsExactly(1L, 3L);
        try (InputRecords a = InputRecords.ofArguments(List.of("x", "y"))) {
            assertThat(a.next().where()).isEqualTo("argument 1");
            assertThat(a.next().text("text")).isEqualTo("y");
            assertThat(a.hasNext()).isFalse();
        }
    }

    @Test
    void fileFormatByExtensionAndSize(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("in.csv");
        Files.writeString(f, "text\nhello\n");
        try (InputRecords r = InputRecords.open(f, null, InputRecords.Format.AUTO)) {
            assertThat(r.totalBytes()).isEqualTo(11);
            assertThat(r.next().text("text")).isEqualTo("hello");
            assertThat(r.bytesRead()).isEqualTo(11);
        }
        assertThatThrownBy(() -> InputRecords.open(dir.resolve("nope.txt"), null, InputRecords.Format.AUTO))
                .isInstanceOf(UserException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> InputRecords.Format.parse("xml")).hasMessageContaining("auto, jsonl, csv or lines");
    }
}
