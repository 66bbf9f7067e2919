package dev.distil4j.pipeline;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class SentenceSplitterTest {
    static List<String> split(SentenceSplitter s, String doc) {
        List<SentenceSplitter.Sentence> out = s.split(doc);
        for (SentenceSplitter.Sentence x : out) {
            assertThat(doc.substring(x.begin(), x.end())).isEqualTo(x.text());
            assertThat(x.endInclusive()).isEqualTo(x.end() - 1);
        }
        for (int i = 0; i < out.size(); i++) assertThat(out.get(i).index()).isEqualTo(i);
        return out.stream().map(SentenceSplitter.Sentence::text).toList();
    }

    @Test
    void rules() {
        SentenceSplitter s = SentenceSplitter.rules();
        assertThat(split(s, "Mr. Smith went to Washington. He arrived on Jan. 5th! Wow?! \"Yes.\" Then e.g. this. "
                + "J. R. R. Tolkien wrote it... The end"))
                .containsExactly("Mr. Smith went to Washington.", "He arrived on Jan. 5th!", "Wow?!", "\"Yes.\"", "Then e.g. this.",
                        "J. R. R. Tolkien wrote it...", "The end");
        assertThat(split(s, "Title\n\nBody text goes\non here. Pi is 3.14 (about).")).containsExactly("Title", "Body text goes\non here.",
                "Pi is 3.14 (about).");
        assertThat(split(s, "我爱你。你好吗？好的")).containsExactly("我爱你。", "你好吗？", "好的");
        assertThat(split(s, "   ")).isEmpty();
        assertThat(split(s, "")).isEmpty();
        assertThat(split(s, "  One.  Two.\r\n\r\nThree ")).containsExactly("One.", "Two.", "Three");
    }

    @Test
    void breakIterator() {
        assertThat(split(SentenceSplitter.breakIterator(Locale.ENGLISH), "It rains. It pours!  Done"))
                .containsExactly("It rains.", "It pours!", "Done");
    }
}
