package dev.distil4j.tokenizer.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Template post-processor: the single and pair templates are lists of pieces, each either a sequence
 * ({@code A}/{@code B}) or a special token, with a type id.
 *
 * @param specialTokens id (name used in templates) → its ids and tokens
 */
public record TemplateProcessing(List<Piece> single, List<Piece> pair, Map<String, SpecialToken> specialTokens)
        implements PostProcessor {

    /** One template element. {@code sequence} is "A" or "B" for a sequence, {@code null} for a special token. */
    public record Piece(String sequence, String specialTokenId, int typeId) {
        public static Piece sequence(String id, int typeId) {
            return new Piece(id, null, typeId);
        }

        public static Piece special(String id, int typeId) {
            return new Piece(null, id, typeId);
        }

        public boolean isSequence() {
            return sequence != null;
        }
    }

    /** A named special token of the template; usually one id and one token. */
    public record SpecialToken(String id, int[] ids, String[] tokens) {}

    public TemplateProcessing {
        single = List.copyOf(single);
        pair = List.copyOf(pair);
        // insertion order kept: tokenizer.json is written in the order it was read
        specialTokens = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(specialTokens));
    }

    @Override
    public String type() {
        return "TemplateProcessing";
    }

    @Override
    public int addedTokens(boolean isPair) {
        int n = 0;
        for (Piece p : isPair ? pair : single) {
            if (!p.isSequence()) {
                n += specialTokens.get(p.specialTokenId()).ids().length;
            }
        }
        return n;
    }

    @Override
    public List<RawEncoding> process(List<RawEncoding> encodings, boolean addSpecialTokens) {
        List<Piece> template = encodings.size() == 2 ? pair : single;
        List<RawEncoding> out = new ArrayList<>();
        for (Piece p : template) {
            if (p.isSequence()) {
                int i = "A".equals(p.sequence()) ? 0 : 1;
                RawEncoding e = encodings.get(i);
                e.setTypeIds(p.typeId());
                e.setSequenceId(i);
                out.add(e.copy());
            } else if (addSpecialTokens) {
                SpecialToken t = specialTokens.get(p.specialTokenId());
                out.add(RawEncoding.special(t.ids(), t.tokens(), p.typeId()));
            }
        }
        return out;
    }
}
