package dev.distil4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSetTest {

    @Test
    void integerLabelsSortNumerically() {
        assertThat(LabelSet.fromData(List.of("10", "2", "1", "2", "0")).labels()).containsExactly("0", "1", "2", "10");
        assertThat(LabelSet.fromData(List.of("1", "-1", "0")).labels()).containsExactly("-1", "0", "1");
    }

    @Test
    void otherLabelsSortAsPythonSortsStrings() {
        // "10" < "2" as strings once one label is not an integer; upper case before lower case; by code point
        assertThat(LabelSet.fromData(List.of("2", "10", "x")).labels()).containsExactly("10", "2", "x");
        assertThat(LabelSet.fromData(List.of("neutral", "entailment", "contradiction")).labels())
                .containsExactly("contradiction", "entailment", "neutral");
        assertThat(LabelSet.fromData(List.of("b", "B", "a")).labels()).containsExactly("B", "a", "b");
        // U+FF21 (one UTF-16 unit) sorts before U+1F600 (a surrogate pair) by code point, though not by char
        assertThat(LabelSet.fromData(List.of("\uD83D\uDE00", "\uFF21")).labels()).containsExactly("\uFF21", "\uD83D\uDE00");
    }

    @Test
    void givenLabelsKeepTheirOrderAndMapBothWays() {
        LabelSet s = LabelSet.of("NEGATIVE", "POSITIVE");
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.label(1)).isEqualTo("POSITIVE");
        assertThat(s.indexOf("NEGATIVE")).isZero();
        assertThat(s.indexOf("neutral")).isEqualTo(-1);
        assertThat(s.id2label()).containsExactly(entry(0, "NEGATIVE"), entry(1, "POSITIVE"));
        assertThat(s.label2id()).containsExactly(entry("NEGATIVE", 0), entry("POSITIVE", 1));
        assertThat(LabelSet.fromId2Label(Map.of(1, "POSITIVE", 0, "NEGATIVE"))).isEqualTo(s);
    }

    @Test
    void unknownLabelNamesTheOrigin() {
        LabelSet s = LabelSet.of("0", "1");
        assertThat(s.id("1", new Origin("train.tsv", 5), "column 'label'")).isEqualTo(1);
        assertThatThrownBy(() -> s.id("2", new Origin("train.tsv", 7), "column 'label'"))
                .isInstanceOf(DataFormatException.class)
                .hasMessage("train.tsv:7: column 'label': unknown label '2' (the labels are [0, 1])");
    }

    @Test
    void refusesDuplicatesEmptiesAndGaps() {
        assertThatThrownBy(() -> LabelSet.of("a", "b", "a")).hasMessageContaining("'a' appears twice");
        assertThatThrownBy(() -> LabelSet.of()).hasMessageContaining("at least one label");
        assertThatThrownBy(() -> LabelSet.of("a", "")).hasMessageContaining("label 1 is empty");
        assertThatThrownBy(() -> LabelSet.fromId2Label(Map.of(0, "a", 2, "c"))).hasMessageContaining("no id 1");
    }

    @Test
    void beginTagsMapToTheirInsideTags() {
        LabelSet s = LabelSet.of("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-MISC");
        // B-MISC has no I-MISC: it stays itself, as in run_ner.py
        assertThat(s.beginToInside()).containsExactly(0, 2, 2, 4, 4, 5);
    }

    @Test
    void fromExamplesNeedsLabels() {
        TextExample unlabelled = new TextExample("hi", null, null, new Origin("test.tsv", 3));
        assertThatThrownBy(() -> LabelSet.fromExamples(List.of(unlabelled)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("test.tsv:3");
    }
}
