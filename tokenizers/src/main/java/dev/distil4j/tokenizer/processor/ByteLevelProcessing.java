package dev.distil4j.tokenizer.processor;

import dev.distil4j.tokenizer.pretokenizer.ByteLevel;
import java.util.List;

/**
 * The byte-level post-processor: trims the spaces byte-level tokens carry ({@code Ġ}) off their
 * offsets, except the one space {@code add_prefix_space} added in front of the first token.
 */
public record ByteLevelProcessing(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex)
        implements PostProcessor {

    private static final int SPACE_CHAR = ByteLevel.byteToChar(' ');

    @Override
    public String type() {
        return "ByteLevel";
    }

    @Override
    public int addedTokens(boolean pair) {
        return 0;
    }

    @Override
    public List<RawEncoding> process(List<RawEncoding> encodings, boolean addSpecialTokens) {
        if (trimOffsets) {
            for (RawEncoding e : encodings) {
                trim(e, addPrefixSpace);
                for (RawEncoding o : e.overflowing) {
                    trim(o, addPrefixSpace);
                }
            }
        }
        for (int i = 0; i < encodings.size(); i++) {
            encodings.get(i).setSequenceId(i);
        }
        return encodings;
    }

    private static boolean isSpace(int cp) {
        return cp == SPACE_CHAR || dev.distil4j.tokenizer.text.UnicodeTables.isRustWhitespace(cp);
    }

    static void trim(RawEncoding e, boolean addPrefixSpace) {
        for (int i = 0; i < e.len; i++) {
            String t = e.tokens[i];
            int lead = 0;
            for (int j = 0; j < t.length(); ) {
                int cp = t.codePointAt(j);
                if (!isSpace(cp)) {
                    break;
                }
                lead++;
                j += Character.charCount(cp);
            }
            int trail = 0;
            for (int j = t.length(); j > 0; ) {
                int cp = t.codePointBefore(j);
                if (!isSpace(cp)) {
                    break;
                }
                trail++;
                j -= Character.charCount(cp);
            }
            if (lead == 0 && trail == 0) {
                continue;
            }
            if (lead > 0) {
                boolean first = i == 0 || e.offStart[i] == 0;
                if (first && addPrefixSpace && lead == 1) {
                    lead = 0;
                }
                e.offStart[i] = Math.min(e.offStart[i] + lead, e.offEnd[i]);
                e.cpStart[i] = Math.min(e.cpStart[i] + lead, e.cpEnd[i]);
            }
            if (trail > 0 && e.offEnd[i] >= trail) {
                e.offEnd[i] = Math.max(e.offEnd[i] - trail, e.offStart[i]);
                e.cpEnd[i] = Math.max(e.cpEnd[i] - trail, e.cpStart[i]);
            }
        }
    }
}
