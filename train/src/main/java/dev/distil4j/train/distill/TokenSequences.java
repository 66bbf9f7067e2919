package dev.distil4j.train.distill;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable list of token id sequences stored flat (one {@code int[]} of ids, one of offsets), because a
 * pre-training corpus has millions of short sequences and one array per sequence would cost more in headers
 * than in ids. Limited to {@code 2^31 - 9} tokens in all.
 */
public final class TokenSequences {
    private final int[] ids;
    private final int[] offsets; // size() + 1 entries, offsets[0] == 0

    private TokenSequences(int[] ids, int[] offsets) {
        this.ids = ids;
        this.offsets = offsets;
    }

    /** Copies {@code sequences}. */
    public static TokenSequences of(List<int[]> sequences) {
        Builder b = new Builder();
        for (int[] s : sequences) {
            b.add(s);
        }
        return b.build();
    }

    /** Wraps flat ids and per-sequence lengths (copied); used by the cache reader. */
    static TokenSequences ofFlat(int[] ids, int[] lengths) {
        int[] offsets = new int[lengths.length + 1];
        long pos = 0;
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("negative length at sequence " + i);
            }
            pos += lengths[i];
            if (pos > ids.length) {
                throw new IllegalArgumentException("lengths add up to more than the " + ids.length + " ids");
            }
            offsets[i + 1] = (int) pos;
        }
        if (pos != ids.length) {
            throw new IllegalArgumentException("lengths add up to " + pos + ", not to the " + ids.length + " ids");
        }
        return new TokenSequences(ids, offsets);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of sequences. */
    public int size() {
        return offsets.length - 1;
    }

    /** Number of tokens in sequence {@code i}. */
    public int length(int i) {
        return offsets[i + 1] - offsets[i];
    }

    /** Token {@code j} of sequence {@code i}. */
    public int tokenAt(int i, int j) {
        if (j < 0 || j >= length(i)) {
            throw new IndexOutOfBoundsException("token " + j + " of a sequence of " + length(i));
        }
        return ids[offsets[i] + j];
    }

    /** A copy of sequence {@code i}. */
    public int[] sequence(int i) {
        return Arrays.copyOfRange(ids, offsets[i], offsets[i + 1]);
    }

    /** Every sequence's length. */
    public int[] lengths() {
        int[] l = new int[size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = length(i);
        }
        return l;
    }

    /** Tokens over all sequences. */
    public long totalTokens() {
        return ids.length;
    }

    /** The largest id, or -1 when there are no tokens. */
    public int maxId() {
        int m = -1;
        for (int id : ids) {
            m = Math.max(m, id);
        }
        return m;
    }

    /** The flat ids, not copied: package code reads them in bulk. */
    int[] flatIds() {
        return ids;
    }

    /** Start of sequence {@code i} in {@link #flatIds()}. */
    int offset(int i) {
        return offsets[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenSequences t && Arrays.equals(offsets, t.offsets) && Arrays.equals(ids, t.ids);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ids) * 31 + Arrays.hashCode(offsets);
    }

    @Override
    public String toString() {
        return "TokenSequences[" + size() + " sequences, " + ids.length + " tokens]";
    }

    /** Appends sequences token by token or whole; not thread-safe. */
    public static final class Builder {
        private static final int MAX = Integer.MAX_VALUE - 8;
        private int[] ids = new int[1024];
        private int[] offsets = new int[64];
        private int nIds;
        private int nSeqs;
        private int start; // start of the open sequence

        private Builder() {}

        /** Appends one token to the open sequence. */
        public Builder append(int id) {
            if (nIds == ids.length) {
                if (nIds == MAX) {
                    throw new IllegalStateException("more than " + MAX + " tokens do not fit one corpus");
                }
                ids = Arrays.copyOf(ids, (int) Math.min(MAX, 2L * nIds));
            }
            ids[nIds++] = id;
            return this;
        }

        /** Closes the open sequence (possibly empty). */
        public Builder endSequence() {
            if (nSeqs + 1 == offsets.length) {
                offsets = Arrays.copyOf(offsets, 2 * offsets.length);
            }
            offsets[++nSeqs] = nIds;
            start = nIds;
            return this;
        }

        /** Appends {@code seq[from, to)} as one whole sequence. */
        public Builder add(int[] seq, int from, int to) {
            if (start != nIds) {
                throw new IllegalStateException("a sequence is open");
            }
            for (int i = from; i < to; i++) {
                append(seq[i]);
            }
            return endSequence();
        }

        public Builder add(int[] seq) {
            return add(seq, 0, seq.length);
        }

        /** Number of closed sequences so far. */
        public int size() {
            return nSeqs;
        }

        public TokenSequences build() {
            if (start != nIds) {
                throw new IllegalStateException("a sequence is still open: call endSequence()");
            }
            return new TokenSequences(Arrays.copyOf(ids, nIds), Arrays.copyOf(offsets, nSeqs + 1));
        }
    }
}
