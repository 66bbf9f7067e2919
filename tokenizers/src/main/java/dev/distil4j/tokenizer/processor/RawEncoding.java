package dev.distil4j.tokenizer.processor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable encoding the pipeline works on (Hugging Face's Rust {@code Encoding}): truncation with
 * overflowing windows, merging, padding. Internal: {@link dev.distil4j.tokenizer.Tokenizer} turns it
 * into the immutable {@link dev.distil4j.tokenizer.Encoding} at the end. Offsets are kept twice, in
 * UTF-16 units and in code points, relative to the sequence's own text. Word ids use -1 for none.
 */
public final class RawEncoding {
    public int len;
    public int[] ids;
    public int[] typeIds;
    public String[] tokens;
    public int[] words;
    public int[] offStart;
    public int[] offEnd;
    public int[] cpStart;
    public int[] cpEnd;
    public int[] specialMask;
    public int[] attention;
    public List<RawEncoding> overflowing = new ArrayList<>();
    /** sequence id -> [start, end) token range; empty = one sequence covering everything */
    public Map<Integer, int[]> sequenceRanges = new LinkedHashMap<>();

    public RawEncoding(int capacity) {
        int c = Math.max(capacity, 1);
        ids = new int[c];
        typeIds = new int[c];
        tokens = new String[c];
        words = new int[c];
        offStart = new int[c];
        offEnd = new int[c];
        cpStart = new int[c];
        cpEnd = new int[c];
        specialMask = new int[c];
        attention = new int[c];
    }

    /** Appends one token. */
    public void add(int id, String token, int typeId, int word, int s, int e, int cs, int ce, int special) {
        if (len == ids.length) {
            grow(len * 2 + 4);
        }
        ids[len] = id;
        tokens[len] = token;
        typeIds[len] = typeId;
        words[len] = word;
        offStart[len] = s;
        offEnd[len] = e;
        cpStart[len] = cs;
        cpEnd[len] = ce;
        specialMask[len] = special;
        attention[len] = 1;
        len++;
    }

    private void grow(int cap) {
        ids = Arrays.copyOf(ids, cap);
        typeIds = Arrays.copyOf(typeIds, cap);
        tokens = Arrays.copyOf(tokens, cap);
        words = Arrays.copyOf(words, cap);
        offStart = Arrays.copyOf(offStart, cap);
        offEnd = Arrays.copyOf(offEnd, cap);
        cpStart = Arrays.copyOf(cpStart, cap);
        cpEnd = Arrays.copyOf(cpEnd, cap);
        specialMask = Arrays.copyOf(specialMask, cap);
        attention = Arrays.copyOf(attention, cap);
    }

    /** A special token (or several) as its own encoding: no word, offsets (0, 0), mask 1. */
    public static RawEncoding special(int[] ids, String[] tokens, int typeId) {
        RawEncoding r = new RawEncoding(ids.length);
        for (int i = 0; i < ids.length; i++) {
            r.add(ids[i], tokens[i], typeId, -1, 0, 0, 0, 0, 1);
        }
        return r;
    }

    public RawEncoding copy() {
        RawEncoding r = slice(0, len);
        for (RawEncoding o : overflowing) {
            r.overflowing.add(o.copy());
        }
        for (Map.Entry<Integer, int[]> e : sequenceRanges.entrySet()) {
            r.sequenceRanges.put(e.getKey(), e.getValue().clone());
        }
        return r;
    }

    private RawEncoding slice(int start, int stop) {
        RawEncoding r = new RawEncoding(stop - start);
        int n = stop - start;
        System.arraycopy(ids, start, r.ids, 0, n);
        System.arraycopy(typeIds, start, r.typeIds, 0, n);
        System.arraycopy(tokens, start, r.tokens, 0, n);
        System.arraycopy(words, start, r.words, 0, n);
        System.arraycopy(offStart, start, r.offStart, 0, n);
        System.arraycopy(offEnd, start, r.offEnd, 0, n);
        System.arraycopy(cpStart, start, r.cpStart, 0, n);
        System.arraycopy(cpEnd, start, r.cpEnd, 0, n);
        System.arraycopy(specialMask, start, r.specialMask, 0, n);
        System.arraycopy(attention, start, r.attention, 0, n);
        r.len = n;
        return r;
    }

    public void setTypeIds(int typeId) {
        Arrays.fill(typeIds, 0, len, typeId);
    }

    public void setSequenceId(int seq) {
        sequenceRanges.put(seq, new int[] {0, len});
    }

    /**
     * Keeps the first (or, from the left, last) {@code maxLen} tokens; the rest becomes overflowing
     * windows of {@code maxLen} tokens that overlap by {@code stride}.
     */
    public void truncate(int maxLen, int stride, boolean fromLeft) {
        if (maxLen >= len) {
            return;
        }
        if (maxLen == 0) {
            RawEncoding all = slice(0, len);
            all.overflowing = overflowing;
            all.sequenceRanges = sequenceRanges;
            RawEncoding empty = new RawEncoding(0);
            copyFrom(empty);
            overflowing = new ArrayList<>(List.of(all));
            sequenceRanges = new LinkedHashMap<>();
            return;
        }
        if (stride >= maxLen) {
            throw new IllegalArgumentException("stride (" + stride + ") must be smaller than the room left for the"
                    + " sequence (" + maxLen + ", max length minus special tokens)");
        }
        sequenceRanges.clear();
        int step = maxLen - stride;
        List<int[]> parts = new ArrayList<>();
        if (!fromLeft) {
            for (int start = 0; start < len; start += step) {
                int stop = Math.min(start + maxLen, len);
                parts.add(new int[] {start, stop});
                if (stop == len) {
                    break;
                }
            }
        } else {
            for (int s = len - 1; s >= 0; s -= step) {
                int stop = s + 1;
                int start = Math.max(0, stop - maxLen);
                parts.add(new int[] {start, stop});
                if (start == 0) {
                    break;
                }
            }
        }
        RawEncoding first = slice(parts.get(0)[0], parts.get(0)[1]);
        List<RawEncoding> over = new ArrayList<>();
        for (int i = 1; i < parts.size(); i++) {
            over.add(slice(parts.get(i)[0], parts.get(i)[1]));
        }
        copyFrom(first);
        overflowing = over;
    }

    private void copyFrom(RawEncoding o) {
        len = o.len;
        ids = o.ids;
        typeIds = o.typeIds;
        tokens = o.tokens;
        words = o.words;
        offStart = o.offStart;
        offEnd = o.offEnd;
        cpStart = o.cpStart;
        cpEnd = o.cpEnd;
        specialMask = o.specialMask;
        attention = o.attention;
    }

    /** Appends {@code pair}, combining overflowing windows the way Hugging Face does. */
    public void mergeWith(RawEncoding pair) {
        List<RawEncoding> over = new ArrayList<>();
        for (RawEncoding selfO : overflowing) {
            RawEncoding n = selfO.copy();
            n.mergeWith(pair.copy());
            over.add(n);
            for (RawEncoding otherO : pair.overflowing) {
                RawEncoding n2 = selfO.copy();
                n2.mergeWith(otherO.copy());
                over.add(n2);
            }
        }
        for (RawEncoding otherO : pair.overflowing) {
            RawEncoding n = copy();
            n.mergeWith(otherO.copy());
            over.add(n);
        }
        int base = len;
        for (Map.Entry<Integer, int[]> e : pair.sequenceRanges.entrySet()) {
            sequenceRanges.put(e.getKey(), new int[] {base + e.getValue()[0], base + e.getValue()[1]});
        }
        if (len + pair.len > ids.length) {
            grow(len + pair.len);
        }
        System.arraycopy(pair.ids, 0, ids, len, pair.len);
        System.arraycopy(pair.typeIds, 0, typeIds, len, pair.len);
        System.arraycopy(pair.tokens, 0, tokens, len, pair.len);
        System.arraycopy(pair.words, 0, words, len, pair.len);
        System.arraycopy(pair.offStart, 0, offStart, len, pair.len);
        System.arraycopy(pair.offEnd, 0, offEnd, len, pair.len);
        System.arraycopy(pair.cpStart, 0, cpStart, len, pair.len);
        System.arraycopy(pair.cpEnd, 0, cpEnd, len, pair.len);
        System.arraycopy(pair.specialMask, 0, specialMask, len, pair.len);
        System.arraycopy(pair.attention, 0, attention, len, pair.len);
        len += pair.len;
        overflowing = over;
    }

    /** Folds {@code parts} together with {@link #mergeWith}. */
    public static RawEncoding merge(List<RawEncoding> parts) {
        RawEncoding r = new RawEncoding(16);
        for (RawEncoding p : parts) {
            r.mergeWith(p);
        }
        return r;
    }

    /** Pads (this and every overflowing window) to {@code target} tokens. */
    public void pad(int target, int padId, int padTypeId, String padToken, boolean left) {
        for (RawEncoding o : overflowing) {
            o.pad(target, padId, padTypeId, padToken, left);
        }
        if (len >= target) {
            return;
        }
        int p = target - len;
        RawEncoding r = new RawEncoding(target);
        if (left) {
            for (int i = 0; i < p; i++) {
                r.add(padId, padToken, padTypeId, -1, 0, 0, 0, 0, 1);
                r.attention[i] = 0;
            }
        }
        for (int i = 0; i < len; i++) {
            r.add(ids[i], tokens[i], typeIds[i], words[i], offStart[i], offEnd[i], cpStart[i], cpEnd[i], specialMask[i]);
            r.attention[r.len - 1] = attention[i];
        }
        if (!left) {
            for (int i = 0; i < p; i++) {
                r.add(padId, padToken, padTypeId, -1, 0, 0, 0, 0, 1);
                r.attention[r.len - 1] = 0;
            }
        }
        if (left) {
            Map<Integer, int[]> moved = new LinkedHashMap<>();
            for (Map.Entry<Integer, int[]> e : sequenceRanges.entrySet()) {
                moved.put(e.getKey(), new int[] {e.getValue()[0] + p, e.getValue()[1] + p});
            }
            sequenceRanges = moved;
        }
        copyFrom(r);
    }

    /** Sequence id per token, -1 for none (special tokens, padding). */
    public int[] sequenceIds() {
        int[] s = new int[len];
        if (sequenceRanges.isEmpty()) {
            Arrays.fill(s, 0);
            return s;
        }
        Arrays.fill(s, -1);
        for (Map.Entry<Integer, int[]> e : sequenceRanges.entrySet()) {
            int[] r = e.getValue();
            for (int i = r[0]; i < Math.min(r[1], len); i++) {
                s[i] = e.getKey();
            }
        }
        return s;
    }
}
