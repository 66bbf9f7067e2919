package dev.distil4j.pipeline;

import dev.distil4j.model.Architecture;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.ModelOutput;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs many token sequences through the model in padded batches. Sequences are sorted by length
 * first so that each batch pads little; results come back per input, in input order. A batch is
 * also cut when its outputs would exceed {@link #MAX_OUTPUT_FLOATS} (an MLM head produces
 * batch x length x vocabulary logits).
 */
final class Batches {
    /** 256 MB of float outputs per forward pass at most. */
    static final long MAX_OUTPUT_FLOATS = 1L << 26;

    /** One sequence to run: ids and, for pairs, segment ids (null = all zeros). */
    record Sequence(int[] ids, int[] typeIds) {}

    /** Receives the output of one input: its row in the batch output and its unpadded length. */
    @FunctionalInterface
    interface Sink {
        void accept(int input, ModelOutput out, int row, int length);
    }

    private Batches() {}

    /**
     * @param floatsPerToken output floats per token (hidden size, or vocabulary size for MLM logits),
     *                       to bound the memory of one forward pass
     */
    static void run(PipelineModel pm, List<Sequence> seqs, int batchSize, long floatsPerToken, Sink sink) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        int n = seqs.size();
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) order.add(i);
        order.sort(Comparator.comparingInt((Integer i) -> seqs.get(i).ids().length).reversed());
        int max = pm.maxLength();
        for (Sequence s : seqs) {
            if (s.ids().length > max) {
                throw new IllegalArgumentException("input is " + s.ids().length + " tokens, more than the model's maximum of "
                        + max + "; truncate it or split it into windows");
            }
        }
        int pad = padId(pm);
        boolean types = pm.model().config().architecture() == Architecture.BERT;
        int start = 0;
        while (start < n) {
            int longest = Math.max(1, seqs.get(order.get(start)).ids().length);
            long perRow = Math.max(1, longest * floatsPerToken);
            int b = (int) Math.max(1, Math.min(batchSize, MAX_OUTPUT_FLOATS / perRow));
            b = Math.min(b, n - start);
            int[][] ids = new int[b][longest];
            int[][] mask = new int[b][longest];
            int[][] tt = types ? new int[b][longest] : null;
            for (int r = 0; r < b; r++) {
                Sequence s = seqs.get(order.get(start + r));
                int len = s.ids().length;
                java.util.Arrays.fill(ids[r], pad);
                System.arraycopy(s.ids(), 0, ids[r], 0, len);
                java.util.Arrays.fill(mask[r], 0, len, 1);
                if (tt != null && s.typeIds() != null) System.arraycopy(s.typeIds(), 0, tt[r], 0, len);
            }
            ModelOutput out = pm.model().forward(new ModelInput(ids, mask, tt));
            for (int r = 0; r < b; r++) {
                int input = order.get(start + r);
                sink.accept(input, out, r, seqs.get(input).ids().length);
            }
            start += b;
        }
    }

    /** Each sequence's rows of the encoder's last hidden state ([its length][hidden size]), in input order. */
    static float[][][] lastHiddenStates(PipelineModel pm, List<Sequence> seqs, int batchSize) {
        int h = pm.model().config().hiddenSize();
        float[][][] rows = new float[seqs.size()][][];
        run(pm, seqs, batchSize, h, (input, out, row, length) -> {
            dev.distil4j.model.Tensor hs = out.lastHiddenState();
            int t = hs.dim(1);
            float[][] r = new float[length][];
            for (int i = 0; i < length; i++) r[i] = java.util.Arrays.copyOfRange(hs.data(), (row * t + i) * h, (row * t + i + 1) * h);
            rows[input] = r;
        });
        return rows;
    }

    /**
     * How many windows the tokenizers' overflow cuts {@code n} tokens into: windows of {@code room}
     * tokens starting every {@code room - stride} tokens, the last one reaching the end.
     */
    static int overflowWindows(int n, int room, int stride) {
        if (n <= room) return 1;
        long step = room - stride;
        return (int) Math.min(Integer.MAX_VALUE, 1 + (n - room + step - 1) / step);
    }

    /** {@code e} without its overflowing windows, so that a prepared input does not hold a whole long text's tokens. */
    static dev.distil4j.tokenizer.Encoding alone(dev.distil4j.tokenizer.Encoding e) {
        if (e.overflowing().isEmpty()) return e;
        return new dev.distil4j.tokenizer.Encoding(e.ids(), e.tokens(), e.typeIds(), e.attentionMask(), e.specialTokensMask(),
                e.wordIds(), e.sequenceIds(), e.offsets(), e.codePointOffsets(), List.of());
    }

    /** The tokenizer's pad id; RoBERTa needs exactly its padding_idx there (position ids come from it). */
    static int padId(PipelineModel pm) {
        int pad = pm.tokenizer().padTokenId();
        return pad >= 0 ? pad : pm.model().config().padTokenId();
    }
}
