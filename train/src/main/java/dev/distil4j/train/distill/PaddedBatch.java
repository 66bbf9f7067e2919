package dev.distil4j.train.distill;

import java.util.Arrays;

/**
 * Sequences padded to the longest in the batch ({@code LmSeqsDataset.batch_sequences}), row-major
 * {@code [batchSize, seqLen]}. Immutable: accessors return copies, the {@code *At} methods read single values.
 *
 * @param indices the dataset index of each row
 * @param tokenIds the ids, {@code pad} after each row's length
 * @param lengths each row's real length
 */
public record PaddedBatch(int batchSize, int seqLen, int[] indices, int[] tokenIds, int[] lengths) {

    public PaddedBatch {
        if (batchSize <= 0 || seqLen <= 0 || indices.length != batchSize || lengths.length != batchSize
                || tokenIds.length != batchSize * seqLen) {
            throw new IllegalArgumentException("inconsistent batch shape");
        }
        for (int l : lengths) {
            if (l < 0 || l > seqLen) {
                throw new IllegalArgumentException("length " + l + " outside [0, " + seqLen + "]");
            }
        }
        indices = indices.clone();
        tokenIds = tokenIds.clone();
        lengths = lengths.clone();
    }

    /** Pads the rows {@code indices} of {@code data} with {@code padId}. */
    public static PaddedBatch collate(TokenSequences data, int[] indices, int padId) {
        int bs = indices.length;
        int[] lengths = new int[bs];
        int seqLen = 0;
        for (int b = 0; b < bs; b++) {
            lengths[b] = data.length(indices[b]);
            seqLen = Math.max(seqLen, lengths[b]);
        }
        int[] ids = new int[bs * seqLen];
        Arrays.fill(ids, padId);
        int[] flat = data.flatIds();
        for (int b = 0; b < bs; b++) {
            System.arraycopy(flat, data.offset(indices[b]), ids, b * seqLen, lengths[b]);
        }
        return new PaddedBatch(bs, seqLen, indices, ids, lengths);
    }

    /** 1 at real tokens, 0 at padding ({@code arange(seqLen) < lengths[:, None]}). */
    public int[] attentionMask() {
        int[] m = new int[batchSize * seqLen];
        for (int b = 0; b < batchSize; b++) {
            Arrays.fill(m, b * seqLen, b * seqLen + lengths[b], 1);
        }
        return m;
    }

    /** Real tokens in the batch. */
    public long realTokens() {
        long s = 0;
        for (int l : lengths) {
            s += l;
        }
        return s;
    }

    public int tokenAt(int row, int pos) {
        return tokenIds[row * seqLen + pos];
    }

    public int lengthAt(int row) {
        return lengths[row];
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    /** The ids without copying, for package code. */
    int[] ids() {
        return tokenIds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PaddedBatch p && batchSize == p.batchSize && seqLen == p.seqLen
                && Arrays.equals(indices, p.indices) && Arrays.equals(tokenIds, p.tokenIds)
                && Arrays.equals(lengths, p.lengths);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokenIds) * 31 + Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        return "PaddedBatch[" + batchSize + " x " + seqLen + ", rows " + Arrays.toString(indices) + "]";
    }
}
