package dev.distil4j.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The result of encoding one text or pair. Immutable: accessors return copies; the {@code *At}
 * methods read single values without copying.
 *
 * <p><b>Offsets.</b> {@link #offsets()} are Java {@code String} indices (UTF-16 units), half-open
 * {@code [start, end)}, into the text the token came from (the first or the second text of a pair, see
 * {@link #sequenceIds()}). {@link #codePointOffsets()} are the same spans counted in code points, which
 * is what Hugging Face (Python) reports. Special and padding tokens have {@code (0, 0)}. A token that
 * covers part of a character (byte-level BPE splitting an emoji) reports the whole character.
 *
 * <p><b>None.</b> {@link #NONE} (-1) stands for "no word" in {@link #wordIds()} and "no sequence" in
 * {@link #sequenceIds()} (special tokens, padding), like Python's {@code None}.
 *
 * @param offsets UTF-16 offsets, flattened: {@code [start0, end0, start1, end1, ...]}
 * @param codePointOffsets code-point offsets, flattened the same way
 * @param overflowing the overflowing windows produced by truncation (each without further overflow)
 */
public record Encoding(int[] ids, String[] tokens, int[] typeIds, int[] attentionMask, int[] specialTokensMask,
                       int[] wordIds, int[] sequenceIds, int[] offsets, int[] codePointOffsets,
                       List<Encoding> overflowing) {

    /** "None" in word ids and sequence ids. */
    public static final int NONE = -1;

    public Encoding {
        int n = ids.length;
        if (tokens.length != n || typeIds.length != n || attentionMask.length != n || specialTokensMask.length != n
                || wordIds.length != n || sequenceIds.length != n || offsets.length != 2 * n
                || codePointOffsets.length != 2 * n) {
            throw new IllegalArgumentException("encoding arrays differ in length");
        }
        ids = ids.clone();
        tokens = tokens.clone();
        typeIds = typeIds.clone();
        attentionMask = attentionMask.clone();
        specialTokensMask = specialTokensMask.clone();
        wordIds = wordIds.clone();
        sequenceIds = sequenceIds.clone();
        offsets = offsets.clone();
        codePointOffsets = codePointOffsets.clone();
        overflowing = List.copyOf(overflowing);
    }

    /** Number of tokens (padding included). */
    public int length() {
        return ids.length;
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public String[] tokens() {
        return tokens.clone();
    }

    @Override
    public int[] typeIds() {
        return typeIds.clone();
    }

    @Override
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    @Override
    public int[] specialTokensMask() {
        return specialTokensMask.clone();
    }

    @Override
    public int[] wordIds() {
        return wordIds.clone();
    }

    @Override
    public int[] sequenceIds() {
        return sequenceIds.clone();
    }

    @Override
    public int[] offsets() {
        return offsets.clone();
    }

    @Override
    public int[] codePointOffsets() {
        return codePointOffsets.clone();
    }

    public int idAt(int i) {
        return ids[i];
    }

    public String tokenAt(int i) {
        return tokens[i];
    }

    public int typeIdAt(int i) {
        return typeIds[i];
    }

    public int attentionMaskAt(int i) {
        return attentionMask[i];
    }

    public int specialTokenMaskAt(int i) {
        return specialTokensMask[i];
    }

    public int wordIdAt(int i) {
        return wordIds[i];
    }

    public int sequenceIdAt(int i) {
        return sequenceIds[i];
    }

    /** UTF-16 start of token {@code i}. */
    public int startAt(int i) {
        return offsets[2 * i];
    }

    /** UTF-16 end of token {@code i}. */
    public int endAt(int i) {
        return offsets[2 * i + 1];
    }

    /** Code-point start of token {@code i}. */
    public int codePointStartAt(int i) {
        return codePointOffsets[2 * i];
    }

    /** Code-point end of token {@code i}. */
    public int codePointEndAt(int i) {
        return codePointOffsets[2 * i + 1];
    }

    /** The word of token {@code i} ({@link #NONE} for special tokens and padding). */
    public int tokenToWord(int i) {
        return wordIds[i];
    }

    /** The sequence (0 or 1) of token {@code i}, or {@link #NONE}. */
    public int tokenToSequence(int i) {
        return sequenceIds[i];
    }

    /** The UTF-16 span {@code {start, end}} of token {@code i}. */
    public int[] tokenToChars(int i) {
        return new int[] {offsets[2 * i], offsets[2 * i + 1]};
    }

    /**
     * The token containing UTF-16 position {@code pos} of sequence {@code seq}, or -1 (Hugging Face's
     * {@code char_to_token}).
     */
    public int charToToken(int pos, int seq) {
        for (int i = 0; i < ids.length; i++) {
            if (sequenceIds[i] == seq && pos >= offsets[2 * i] && pos < offsets[2 * i + 1]) {
                return i;
            }
        }
        return -1;
    }

    /** The word containing UTF-16 position {@code pos} of sequence {@code seq}, or {@link #NONE}. */
    public int charToWord(int pos, int seq) {
        int t = charToToken(pos, seq);
        return t < 0 ? NONE : wordIds[t];
    }

    /** {@code {firstToken, lastToken + 1}} of word {@code word} in sequence {@code seq}, or null. */
    public int[] wordToTokens(int word, int seq) {
        int start = -1;
        int end = -1;
        for (int i = 0; i < ids.length; i++) {
            if (sequenceIds[i] == seq && wordIds[i] == word) {
                if (start < 0) {
                    start = i;
                }
                end = i + 1;
            }
        }
        return start < 0 ? null : new int[] {start, end};
    }

    /** The UTF-16 span of word {@code word} in sequence {@code seq}, or null. */
    public int[] wordToChars(int word, int seq) {
        int[] t = wordToTokens(word, seq);
        return t == null ? null : new int[] {offsets[2 * t[0]], offsets[2 * (t[1] - 1) + 1]};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encoding e && Arrays.equals(ids, e.ids) && Arrays.equals(tokens, e.tokens)
                && Arrays.equals(typeIds, e.typeIds) && Arrays.equals(attentionMask, e.attentionMask)
                && Arrays.equals(specialTokensMask, e.specialTokensMask) && Arrays.equals(wordIds, e.wordIds)
                && Arrays.equals(sequenceIds, e.sequenceIds) && Arrays.equals(offsets, e.offsets)
                && Arrays.equals(codePointOffsets, e.codePointOffsets) && overflowing.equals(e.overflowing);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids) * 31 + Arrays.hashCode(offsets);
    }

    @Override
    public String toString() {
        return "Encoding[ids=" + Arrays.toString(ids) + ", tokens=" + Arrays.toString(tokens)
                + (overflowing.isEmpty() ? "" : ", overflowing=" + overflowing.size()) + "]";
    }
}
