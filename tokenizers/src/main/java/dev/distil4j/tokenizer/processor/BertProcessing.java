package dev.distil4j.tokenizer.processor;

import java.util.List;

/** {@code [CLS] A [SEP]} and {@code [CLS] A [SEP] B [SEP]}, type ids 0 then 1. */
public record BertProcessing(String sepToken, int sepId, String clsToken, int clsId) implements PostProcessor {

    @Override
    public String type() {
        return "BertProcessing";
    }

    @Override
    public int addedTokens(boolean pair) {
        return pair ? 3 : 2;
    }

    /** The equivalent template. */
    public TemplateProcessing asTemplate() {
        var sp = new java.util.LinkedHashMap<String, TemplateProcessing.SpecialToken>();
        sp.put(clsToken, new TemplateProcessing.SpecialToken(clsToken, new int[] {clsId}, new String[] {clsToken}));
        sp.put(sepToken, new TemplateProcessing.SpecialToken(sepToken, new int[] {sepId}, new String[] {sepToken}));
        return new TemplateProcessing(
                List.of(TemplateProcessing.Piece.special(clsToken, 0), TemplateProcessing.Piece.sequence("A", 0),
                        TemplateProcessing.Piece.special(sepToken, 0)),
                List.of(TemplateProcessing.Piece.special(clsToken, 0), TemplateProcessing.Piece.sequence("A", 0),
                        TemplateProcessing.Piece.special(sepToken, 0), TemplateProcessing.Piece.sequence("B", 1),
                        TemplateProcessing.Piece.special(sepToken, 1)),
                sp);
    }

    @Override
    public List<RawEncoding> process(List<RawEncoding> encodings, boolean addSpecialTokens) {
        if (!addSpecialTokens) {
            return encodings;
        }
        RawEncoding a = encodings.get(0);
        RawEncoding out = wrap(a, clsId, clsToken, 0, 0);
        if (encodings.size() == 1) {
            return List.of(out);
        }
        RawEncoding b = encodings.get(1);
        RawEncoding outB = wrap(b, -1, null, 1, 1);
        return List.of(out, outB);
    }

    /** [cls]? e [sep], with the same for every overflowing window; sequence range excludes specials. */
    private RawEncoding wrap(RawEncoding e, int first, String firstTok, int typeId, int seq) {
        RawEncoding r = new RawEncoding(e.len + 2);
        if (first >= 0) {
            r.add(first, firstTok, typeId, -1, 0, 0, 0, 0, 1);
        }
        int begin = r.len;
        for (int i = 0; i < e.len; i++) {
            r.add(e.ids[i], e.tokens[i], typeId, e.words[i], e.offStart[i], e.offEnd[i], e.cpStart[i], e.cpEnd[i], e.specialMask[i]);
            r.attention[r.len - 1] = e.attention[i];
        }
        r.sequenceRanges.put(seq, new int[] {begin, r.len});
        r.add(sepId, sepToken, typeId, -1, 0, 0, 0, 0, 1);
        for (RawEncoding o : e.overflowing) {
            r.overflowing.add(wrap(o, first, firstTok, typeId, seq));
        }
        return r;
    }
}
