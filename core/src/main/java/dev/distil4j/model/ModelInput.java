package dev.distil4j.model;

/**
 * One batch of token ids, as a Hugging Face model takes it: rectangular [batch, seq] arrays.
 *
 * @param inputIds      token ids
 * @param attentionMask 1 for real tokens, 0 for padding; null means all ones
 * @param tokenTypeIds  segment ids for BERT-style pairs; null means all zeros. DistilBERT has
 *                      no segment embeddings and ignores them, as its tokenizer never makes them.
 */
public record ModelInput(int[][] inputIds, int[][] attentionMask, int[][] tokenTypeIds) {
    public ModelInput {
        if (inputIds == null || inputIds.length == 0) throw new IllegalArgumentException("input_ids must hold at least one sequence");
        int t = inputIds[0].length;
        if (t == 0) throw new IllegalArgumentException("input_ids: sequences must not be empty");
        checkRect("input_ids", inputIds, inputIds.length, t);
        if (attentionMask != null) {
            checkRect("attention_mask", attentionMask, inputIds.length, t);
            for (int b = 0; b < attentionMask.length; b++) {
                for (int i = 0; i < t; i++) {
                    int v = attentionMask[b][i];
                    if (v != 0 && v != 1) {
                        throw new IllegalArgumentException("attention_mask[" + b + "][" + i + "] is " + v + "; must be 0 or 1");
                    }
                }
            }
        }
        if (tokenTypeIds != null) checkRect("token_type_ids", tokenTypeIds, inputIds.length, t);
    }

    /** Just the ids: no padding, one segment. */
    public static ModelInput of(int[]... inputIds) {
        return new ModelInput(inputIds, null, null);
    }

    private static void checkRect(String name, int[][] a, int batch, int seq) {
        if (a.length != batch) throw new IllegalArgumentException(name + " has " + a.length + " rows, input_ids " + batch);
        for (int b = 0; b < a.length; b++) {
            if (a[b] == null || a[b].length != seq) {
                throw new IllegalArgumentException(name + "[" + b + "] has length " + (a[b] == null ? 0 : a[b].length)
                        + "; every row must have the length of input_ids[0] (" + seq + "): pad the batch");
            }
        }
    }

    public int batchSize() {
        return inputIds.length;
    }

    public int seqLength() {
        return inputIds[0].length;
    }

    /** 1 or 0 for token {@code i} of sequence {@code b}. */
    public int mask(int b, int i) {
        return attentionMask == null ? 1 : attentionMask[b][i];
    }

    public int tokenType(int b, int i) {
        return tokenTypeIds == null ? 0 : tokenTypeIds[b][i];
    }
}
