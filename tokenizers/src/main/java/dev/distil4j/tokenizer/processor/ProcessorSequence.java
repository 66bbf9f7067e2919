package dev.distil4j.tokenizer.processor;

import java.util.List;

/** Applies post-processors in order (e.g. byte-level offset trimming, then a template). */
public record ProcessorSequence(List<PostProcessor> processors) implements PostProcessor {
    public ProcessorSequence {
        processors = List.copyOf(processors);
    }

    @Override
    public String type() {
        return "Sequence";
    }

    @Override
    public int addedTokens(boolean pair) {
        int n = 0;
        for (PostProcessor p : processors) {
            n += p.addedTokens(pair);
        }
        return n;
    }

    @Override
    public List<RawEncoding> process(List<RawEncoding> encodings, boolean addSpecialTokens) {
        List<RawEncoding> cur = encodings;
        for (PostProcessor p : processors) {
            cur = new java.util.ArrayList<>(p.process(cur, addSpecialTokens));
        }
        return cur;
    }
}
