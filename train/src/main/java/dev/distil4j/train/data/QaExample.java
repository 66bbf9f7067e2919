package dev.distil4j.train.data;

import java.util.List;
import java.util.Objects;

/**
 * One SQuAD question about one context.
 *
 * <p>Answer positions are Java {@code String} (UTF-16) indices into {@code context}, because that is what
 * the tokenizer's offsets are; SQuAD files count code points (Python indices), and {@link SquadReader}
 * converts.
 *
 * @param id         the question id (unique in its file)
 * @param title      the article title, or "" when the file has none
 * @param context    the paragraph the answer comes from
 * @param question   the question
 * @param answers     the gold answers (SQuAD dev files give several; training uses the first); empty when
 *                   the question cannot be answered
 * @param impossible SQuAD v2.0's {@code is_impossible}
 * @param origin     where the question object starts
 */
public record QaExample(String id, String title, String context, String question, List<Answer> answers,
                        boolean impossible, Origin origin) {

    /**
     * A gold answer.
     *
     * @param text  the answer text, equal to {@code context.substring(start, end())}
     * @param start UTF-16 index of the answer in the context
     */
    public record Answer(String text, int start) {
        public Answer {
            Objects.requireNonNull(text, "text");
            if (start < 0) {
                throw new IllegalArgumentException("answer start must be >= 0, got " + start);
            }
        }

        /** UTF-16 index after the answer. */
        public int end() {
            return start + text.length();
        }
    }

    public QaExample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(question, "question");
        answers = List.copyOf(answers);
        Objects.requireNonNull(origin, "origin");
        for (Answer a : answers) {
            if (a.end() > context.length() || !context.startsWith(a.text(), a.start())) {
                throw new IllegalArgumentException(origin + ": question '" + id + "': answer '" + a.text()
                        + "' is not at " + a.start() + " in the context");
            }
        }
        if (impossible && !answers.isEmpty()) {
            throw new IllegalArgumentException(origin + ": question '" + id + "' is impossible but has answers");
        }
    }
}
