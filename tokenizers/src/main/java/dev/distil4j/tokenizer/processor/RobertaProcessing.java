package dev.distil4j.tokenizer.processor;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code <s> A </s>} and {@code <s> A </s></s> B </s>}; every type id is 0. With {@code trimOffsets},
 * offsets first lose the leading/trailing spaces their tokens carry (see {@link ByteLevelProcessing}).
 */
public record RobertaProcessing(String sepToken, int sepId, String clsToken, int clsId, boolean trimOffsets,
                                boolean addPrefixSpace) implements PostProcessor {

    @Override
    public String type() {
        return "RobertaProcessing";
    }

    @Override
    public int addedTokens(boolean pair) {
        return pair ? 4 : 2;
    }

    @Override
    public List<RawEncoding> process(List<RawEncoding> encodings, boolean addSpecialTokens) {
        if (trimOffsets) {
            for (RawEncoding e : encodings) {
                ByteLevelProcessing.trim(e, addPrefixSpace);
                for (RawEncoding o : e.overflowing) {
                    ByteLevelProcessing.trim(o, addPrefixSpace);
                }
            }
        }
        for (RawEncoding e : encodings) {
            e.setTypeIds(0);
        }
        if (!addSpecialTokens) {
            return encodings;
        }
        List<RawEncoding> out = new ArrayList<>();
        for (int i = 0; i < encodings.size(); i++) {
            RawEncoding e = encodings.get(i);
            boolean first = i == 0;
            RawEncoding w = wrap(e, first ? clsId : sepId, first ? clsToken : sepToken, i);
            for (RawEncoding o : e.overflowing) {
                w.overflowing.add(wrap(o, first ? clsId : sepId, first ? clsToken : sepToken, i));
            }
            out.add(w);
        }
        return out;
    }

    private RawEncoding wrap(RawEncoding e, int firstId, String firstTok, int seq) {
        RawEncoding r = new RawEncoding(e.len + 2);
        r.add(firstId, firstTok, 0, -1, 0, 0, 0, 0, 1);
        for (int i = 0; i < e.len; i++) {
            r.add(e.ids[i], e.tokens[i], 0, e.words[i], e.offStart[i], e.offEnd[i], e.cpStart[i], e.cpEnd[i], 0);
        }
        r.add(sepId, sepToken, 0, -1, 0, 0, 0, 0, 1);
        r.sequenceRanges.put(seq, new int[] {1, r.len - 1});
        return r;
    }
}
