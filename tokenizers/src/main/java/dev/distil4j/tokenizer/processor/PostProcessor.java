package dev.distil4j.tokenizer.processor;

import java.util.List;

/**
 * Fourth pipeline stage: adds special tokens ({@code [CLS] A [SEP] B [SEP]}), sets type ids and
 * sequence ranges, and (byte-level) trims offsets. Implementations are immutable and thread-safe.
 */
public sealed interface PostProcessor
        permits TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevelProcessing, ProcessorSequence {

    /** Special tokens this processor adds to a single sequence or a pair. */
    int addedTokens(boolean pair);

    /** Rewrites the one or two encodings (in place or as new ones); the caller merges the result. */
    List<RawEncoding> process(List<RawEncoding> encodings, boolean addSpecialTokens);

    /** The {@code "type"} used in tokenizer.json. */
    String type();

    /**
     * Hugging Face's {@code PostProcessor::process}: sequence ids and type ids {@code i} per input,
     * then {@link #process}, then a merge.
     */
    static RawEncoding run(PostProcessor p, RawEncoding a, RawEncoding b, boolean addSpecialTokens) {
        List<RawEncoding> encs = b == null ? List.of(a) : List.of(a, b);
        if (p == null) {
            if (b == null) {
                return a;
            }
            a.setSequenceId(0);
            b.setSequenceId(1);
            return RawEncoding.merge(encs);
        }
        for (int i = 0; i < encs.size(); i++) {
            RawEncoding e = encs.get(i);
            e.setSequenceId(i);
            for (RawEncoding o : e.overflowing) {
                o.setSequenceId(i);
            }
            e.setTypeIds(i);
        }
        return RawEncoding.merge(p.process(new java.util.ArrayList<>(encs), addSpecialTokens));
    }
}
