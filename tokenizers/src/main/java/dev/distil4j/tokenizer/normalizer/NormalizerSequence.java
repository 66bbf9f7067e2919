package dev.distil4j.tokenizer.normalizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import java.util.List;

/** Applies normalizers in order (tokenizer.json {@code "Sequence"}). */
public record NormalizerSequence(List<Normalizer> normalizers) implements Normalizer {
    public NormalizerSequence {
        normalizers = List.copyOf(normalizers);
    }

    @Override
    public String type() {
        return "Sequence";
    }

    @Override
    public void normalize(NormalizedString ns) {
        for (Normalizer n : normalizers) {
            n.normalize(ns);
        }
    }
}
