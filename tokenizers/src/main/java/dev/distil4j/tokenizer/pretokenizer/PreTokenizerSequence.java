package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import java.util.ArrayList;
import java.util.List;

/** Applies pre-tokenizers in order, each to every piece the previous one produced. */
public record PreTokenizerSequence(List<PreTokenizer> preTokenizers) implements PreTokenizer {
    public PreTokenizerSequence {
        preTokenizers = List.copyOf(preTokenizers);
    }

    @Override
    public String type() {
        return "Sequence";
    }

    @Override
    public void split(NormalizedString ns, List<NormalizedString> out) {
        List<NormalizedString> cur = new ArrayList<>();
        cur.add(ns);
        for (PreTokenizer p : preTokenizers) {
            List<NormalizedString> next = new ArrayList<>();
            for (NormalizedString piece : cur) {
                p.split(piece, next);
            }
            cur = next;
        }
        out.addAll(cur);
    }
}
