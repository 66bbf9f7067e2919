package dev.distil4j.train.distill;

import java.util.Arrays;

/**
 * How often each vocabulary id occurs in the corpus ({@code scripts/token_counts.py}): the basis of the
 * smoothed masking probabilities. The research project counts the binarized corpus as written, before the
 * dataset clean-up, cls/sep included; count the same {@link TokenSequences} to reproduce it.
 */
public final class TokenCounts {
    private final long[] counts;

    private TokenCounts(long[] counts) {
        this.counts = counts;
    }

    /** Counts every id of {@code sequences}; ids must be below {@code vocabSize}. */
    public static TokenCounts count(TokenSequences sequences, int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive");
        }
        long[] c = new long[vocabSize];
        for (int id : sequences.flatIds()) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("token id " + id + " outside the vocabulary of " + vocabSize);
            }
            c[id]++;
        }
        return new TokenCounts(c);
    }

    /** Wraps given counts (copied), e.g. read from elsewhere. */
    public static TokenCounts of(long[] counts) {
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("negative count");
            }
        }
        return new TokenCounts(counts.clone());
    }

    public int vocabSize() {
        return counts.length;
    }

    public long count(int id) {
        return counts[id];
    }

    /** A copy of all counts, indexed by id. */
    public long[] counts() {
        return counts.clone();
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /**
     * The unnormalised masking weights of train.py: {@code max(count, 1)^-smoothing} per id, 0 for
     * {@code zeroIds} (the special tokens, never predicted). Smoothing below 1 favours rare tokens
     * (XLM, word2vec); 0 gives every ordinary token the same weight.
     */
    public double[] maskingWeights(double smoothing, int[] zeroIds) {
        if (!(smoothing >= 0) || Double.isInfinite(smoothing)) {
            throw new IllegalArgumentException("smoothing must be a finite number >= 0, got " + smoothing);
        }
        double[] w = new double[counts.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.pow(Math.max(counts[i], 1), -smoothing);
        }
        for (int id : zeroIds) {
            w[id] = 0;
        }
        return w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenCounts t && Arrays.equals(counts, t.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "TokenCounts[vocab " + counts.length + ", " + total() + " tokens]";
    }
}
