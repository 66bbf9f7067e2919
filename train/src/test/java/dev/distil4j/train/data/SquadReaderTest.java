package dev.distil4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SquadReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String json) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    private static final String V1 = """
            {"version": "1.1", "data": [
              {"title": "Paris", "paragraphs": [
                {"context": "Paris is the capital of France. It lies on the Seine.",
                 "qas": [
                   {"id": "q1", "question": "What is the capital of France?",
                    "answers": [{"text": "Paris", "answer_start": 0}, {"text": "Paris", "answer_start": 0}]},
                   {"id": "q2", "question": "On which river?",
                    "answers": [{"text": "the Seine", "answer_start": 43}]}
                 ]}
              ]}
            ]}
            """;

    @Test
    void readsSquadV11() throws IOException {
        ReadResult<QaExample> r = SquadReader.read(write("v1.json", V1));
        assertThat(r.examples()).extracting(QaExample::id).containsExactly("q1", "q2");
        QaExample q2 = r.examples().get(1);
        assertThat(q2.title()).isEqualTo("Paris");
        assertThat(q2.question()).isEqualTo("On which river?");
        assertThat(q2.impossible()).isFalse();
        assertThat(q2.answers()).containsExactly(new QaExample.Answer("the Seine", 43));
        assertThat(q2.context().substring(43, q2.answers().get(0).end())).isEqualTo("the Seine");
        assertThat(q2.origin().line()).isEqualTo(7);
        assertThat(r.examples().get(0).answers()).hasSize(2);
    }

    @Test
    void readsSquadV2WithImpossibleQuestions() throws IOException {
        Path p = write("v2.json", """
                {"version": "v2.0", "data": [{"title": "T", "paragraphs": [{
                  "context": "The cat sat on the mat.",
                  "qas": [
                    {"id": "a", "question": "Where did the cat sit?", "is_impossible": false,
                     "answers": [{"text": "on the mat", "answer_start": 12}]},
                    {"id": "b", "question": "Where did the dog sit?", "is_impossible": true, "answers": [],
                     "plausible_answers": [{"text": "on the mat", "answer_start": 12}]}
                  ]}]}]}
                """);
        ReadResult<QaExample> r = SquadReader.read(p);
        assertThat(r.examples()).hasSize(2);
        assertThat(r.examples().get(0).answers()).containsExactly(new QaExample.Answer("on the mat", 12));
        assertThat(r.examples().get(1).impossible()).isTrue();
        assertThat(r.examples().get(1).answers()).isEmpty();
    }

    @Test
    void answerStartCountsCodePointsAndBecomesAUtf16Index() throws IOException {
        // U+1F600 is one Python character but two Java chars: answer_start 4 is Java index 5
        Path p = write("emoji.json", """
                {"data": [{"paragraphs": [{"context": "\\ud83d\\ude00 is a smile", "qas": [
                  {"id": "e", "question": "What?", "answers": [{"text": "a smile", "answer_start": 5}]}]}]}]}
                """);
        QaExample e = SquadReader.read(p).examples().get(0);
        assertThat(e.answers().get(0).start()).isEqualTo(6);
        assertThat(e.context().substring(6)).isEqualTo("a smile");
        assertThat(e.title()).isEmpty();
    }

    @Test
    void aMisplacedAnswerNamesTheQuestionIdAndLine() throws IOException {
        Path p = write("off.json", """
                {"data": [{"title": "T", "paragraphs": [{"context": "Paris is the capital of France.",
                  "qas": [
                    {"id": "good", "question": "Capital?", "answers": [{"text": "Paris", "answer_start": 0}]},
                    {"id": "q-off-by-one", "question": "Country?",
                     "answers": [{"text": "France", "answer_start": 23}]}
                  ]}]}]}
                """);
        assertThatThrownBy(() -> SquadReader.read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("off.json:4")
                .hasMessageContaining("question 'q-off-by-one'")
                .hasMessageContaining("reads ' France.'");
        ReadResult<QaExample> r = SquadReader.read(p, ReadOptions.defaults().withSkipBadRecords(true));
        assertThat(r.examples()).extracting(QaExample::id).containsExactly("good");
        assertThat(r.skipped()).singleElement().asString().contains("q-off-by-one");
    }

    @Test
    void otherBadQuestionsAreNamed() throws IOException {
        Path p = write("bad.json", """
                {"data": [{"paragraphs": [{"context": "Short context.",
                  "qas": [
                    {"id": "past", "question": "Q?", "answers": [{"text": "x", "answer_start": 99}]},
                    {"id": "none", "question": "Q?", "answers": []},
                    {"id": "both", "question": "Q?", "is_impossible": true,
                     "answers": [{"text": "Short", "answer_start": 0}]},
                    {"id": "neg", "question": "Q?", "answers": [{"text": "Short", "answer_start": -1}]},
                    {"id": "noq", "answers": [{"text": "Short", "answer_start": 0}]},
                    {"question": "no id?", "answers": [{"text": "Short", "answer_start": 0}]},
                    {"id": "ok", "question": "Q?", "answers": [{"text": "context", "answer_start": 6}]},
                    {"id": "ok", "question": "again?", "answers": [{"text": "context", "answer_start": 6}]}
                  ]}]}]}
                """);
        ReadResult<QaExample> r = SquadReader.read(p, ReadOptions.defaults().withSkipBadRecords(true));
        assertThat(r.examples()).extracting(QaExample::id).containsExactly("ok");
        assertThat(r.skipped()).hasSize(7);
        assertThat(r.skipped().get(0)).contains("bad.json:3").contains("'past'").contains("past the end");
        assertThat(r.skipped().get(1)).contains("bad.json:4").contains("'none'").contains("not marked is_impossible");
        assertThat(r.skipped().get(2)).contains("bad.json:5").contains("'both'").contains("is_impossible is true");
        assertThat(r.skipped().get(3)).contains("bad.json:7").contains("'neg'").contains("answer_start");
        assertThat(r.skipped().get(4)).contains("bad.json:8").contains("'noq'").contains("'question'");
        assertThat(r.skipped().get(5)).contains("bad.json:9").contains("field 'id'");
        assertThat(r.skipped().get(6)).contains("bad.json:11").contains("already used").contains("bad.json:10");
    }

    @Test
    void brokenJsonAndWrongLayoutAreFileErrors() throws IOException {
        Path broken = write("broken.json", "{\"data\": [\n  {\"paragraphs\": [}\n]}");
        assertThatThrownBy(() -> SquadReader.read(broken, ReadOptions.defaults().withSkipBadRecords(true)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("broken.json:2")
                .hasMessageContaining("invalid JSON");
        Path layout = write("layout.json", "{\"version\": \"1.1\",\n \"articles\": []}");
        assertThatThrownBy(() -> SquadReader.read(layout))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("layout.json:1")
                .hasMessageContaining("field 'data'");
        Path noContext = write("nocontext.json", "{\"data\": [{\"paragraphs\": [\n {\"qas\": []}]}]}");
        assertThatThrownBy(() -> SquadReader.read(noContext, ReadOptions.defaults().withSkipBadRecords(true)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("nocontext.json:2")
                .hasMessageContaining("field 'context'");
    }
}
