package dev.distil4j.train.data;

import java.util.List;
import java.util.Objects;

/**
 * A sentence already split into words, one tag per word (a CoNLL sentence).
 *
 * @param words  the words, none empty
 * @param tags   one tag per word
 * @param origin where the sentence starts (in a CoNLL file, word {@code i} is on line {@code origin.line() + i})
 */
public record TokenExample(List<String> words, List<String> tags, Origin origin) {
    public TokenExample {
        words = List.copyOf(words);
        tags = List.copyOf(tags);
        Objects.requireNonNull(origin, "origin");
        if (words.isEmpty()) {
            throw new IllegalArgumentException(origin + ": a sentence needs at least one word");
        }
        if (words.size() != tags.size()) {
            throw new IllegalArgumentException(origin + ": " + words.size() + " words but " + tags.size() + " tags");
        }
        for (String w : words) {
            if (w.isEmpty()) {
                throw new IllegalArgumentException(origin + ": empty word");
            }
        }
    }

    public int size() {
        return words.size();
    }
}
