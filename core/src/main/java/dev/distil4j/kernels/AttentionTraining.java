package dev.distil4j.kernels;

/**
 * Multi-head scaled dot-product attention for training: the forward keeps the probabilities for
 * the backward, applies attention dropout, and the backward gives dQ, dK, dV. Per (sequence, head),
 * in parallel over those pairs, every product on the micro-kernels:
 * <pre>
 *   forward   S = Q K^T / divisor (masked keys: lowest float)   P = softmax(S)   Pd = P * keep / (1 - p)   C = Pd V
 *   backward  dPd = dC V^T   dV = Pd^T dC   dP = dPd * keep / (1 - p)
 *             dS = P * (dP - rowsum(dP * P)) / divisor   dQ = dS K   dK = dS^T Q
 * </pre>
 * Q, K, V (and dQ, dK, dV) are [batch * seq] rows of stride {@code ld} from their offsets, head h at
 * columns {@code [h d, (h + 1) d)}: the fused q|k|v Linear's output as it is.
 */
public final class AttentionTraining {
    private final Compute compute;
    private final Kernels kernels;
    private final int panel;
    /** Per thread: two packed operands, two [seq, seq] blocks. */
    private final ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[4][0]);

    public AttentionTraining(Compute compute) {
        this.compute = compute;
        this.kernels = compute.kernels();
        this.panel = kernels.panelWidth();
    }

    private static float[] atLeast(float[][] s, int i, int size) {
        if (s[i].length < size) s[i] = new float[size];
        return s[i];
    }

    /**
     * @param mask    [batch][seq], 0 = padding (never attended), or null
     * @param probs   receives P [batch, heads, seq, seq]
     * @param keep    dropout's keep flags for P ([batch, heads, seq, seq], 1 = kept), or null for none
     * @param keepScale {@code 1 / (1 - p)}
     * @param context receives C [batch * seq, heads * d]
     */
    public void forward(float[] qkv, int qOff, int kOff, int vOff, int ld, int batch, int seq, int heads, int d,
                        int[][] mask, float divisor, float[] probs, byte[] keep, float keepScale, float[] context) {
        int dim = heads * d;
        compute.parallel(batch * heads, 1, (from, to) -> {
            float[][] s = scratch.get();
            float[] packed = atLeast(s, 0, PackedMatrix.size(Math.max(seq, d), Math.max(seq, d), panel));
            float[] dropped = atLeast(s, 2, seq * seq);
            for (int bh = from; bh < to; bh++) {
                int b = bh / heads, h = bh % heads, row0 = b * seq, col = h * d, p0 = bh * seq * seq;
                int[] keyMask = mask == null ? null : mask[b];
                PackedMatrix keys = PackedMatrix.packRows(qkv, kOff + row0 * ld + col, ld, seq, d, panel, packed);
                kernels.matmul(qkv, qOff + row0 * ld + col, ld, seq, keys, null, null, null, probs, p0, seq, 0, seq);
                for (int i = 0; i < seq; i++) kernels.scaledMaskedSoftmax(probs, p0 + i * seq, seq, divisor, keyMask);
                float[] a = withDropout(probs, p0, seq * seq, keep, keepScale, dropped);
                int aOff = a == probs ? p0 : 0;
                PackedMatrix values = PackedMatrix.packColumns(qkv, vOff + row0 * ld + col, ld, d, seq, panel, packed);
                kernels.matmul(a, aOff, seq, seq, values, null, null, null, context, row0 * dim + col, dim, 0, d);
            }
        });
    }

    /**
     * @param dContext dC [batch * seq, heads * d]
     * @param dqkv     receives dQ, dK, dV at the same offsets and stride as q, k, v (every value of
     *                 those columns overwritten)
     */
    public void backward(float[] qkv, int qOff, int kOff, int vOff, int ld, int batch, int seq, int heads, int d,
                         float divisor, float[] probs, byte[] keep, float keepScale, float[] dContext, float[] dqkv) {
        int dim = heads * d;
        compute.parallel(batch * heads, 1, (from, to) -> {
            float[][] s = scratch.get();
            float[] packed = atLeast(s, 0, PackedMatrix.size(Math.max(seq, d), Math.max(seq, d), panel));
            float[] dP = atLeast(s, 2, seq * seq);
            float[] t = atLeast(s, 3, seq * seq);
            float[] dropped = atLeast(s, 1, seq * seq);
            for (int bh = from; bh < to; bh++) {
                int b = bh / heads, h = bh % heads, row0 = b * seq, col = h * d, p0 = bh * seq * seq;
                int dcOff = row0 * dim + col;
                // dPd = dC V^T
                PackedMatrix values = PackedMatrix.packRows(qkv, vOff + row0 * ld + col, ld, seq, d, panel, packed);
                kernels.matmul(dContext, dcOff, dim, seq, values, null, null, null, dP, 0, seq, 0, seq);
                // dV = Pd^T dC, Pd = P * keep / (1 - p)
                float[] pd = withDropout(probs, p0, seq * seq, keep, keepScale, dropped);
                int pdOff = pd == probs ? p0 : 0;
                kernels.transpose(pd, pdOff, seq, seq, seq, t, 0, seq);
                PackedMatrix dc = PackedMatrix.packColumns(dContext, dcOff, dim, d, seq, panel, packed);
                kernels.matmul(t, 0, seq, seq, dc, null, null, null, dqkv, vOff + row0 * ld + col, ld, 0, d);
                // dS = P (dP - rowsum(dP P)) / divisor, dP = dPd * keep / (1 - p)
                float inv = 1f / divisor;
                for (int i = 0; i < seq; i++) {
                    int r = i * seq, pr = p0 + r;
                    if (keep != null) kernels.dropoutApply(keep, pr, keepScale, dP, r, seq);
                    float dot = kernels.dot(dP, r, probs, pr, seq);
                    for (int j = 0; j < seq; j++) dP[r + j] = probs[pr + j] * (dP[r + j] - dot) * inv;
                }
                // dQ = dS K
                PackedMatrix keys = PackedMatrix.packColumns(qkv, kOff + row0 * ld + col, ld, d, seq, panel, packed);
                kernels.matmul(dP, 0, seq, seq, keys, null, null, null, dqkv, qOff + row0 * ld + col, ld, 0, d);
                // dK = dS^T Q
                kernels.transpose(dP, 0, seq, seq, seq, t, 0, seq);
                PackedMatrix queries = PackedMatrix.packColumns(qkv, qOff + row0 * ld + col, ld, d, seq, panel, packed);
                kernels.matmul(t, 0, seq, seq, queries, null, null, null, dqkv, kOff + row0 * ld + col, ld, 0, d);
            }
        });
    }

    /**
     * One head's P, {@code probs[p0, p0 + n)}, as the context product reads it: P itself without dropout, else
     * {@code P * keep / (1 - p)} written to {@code dropped[0, n)}. The backward computes it again rather than
     * keeping a second [batch, heads, seq, seq] array.
     */
    private float[] withDropout(float[] probs, int p0, int n, byte[] keep, float keepScale, float[] dropped) {
        if (keep == null) return probs;
        System.arraycopy(probs, p0, dropped, 0, n);
        kernels.dropoutApply(keep, p0, keepScale, dropped, 0, n);
        return dropped;
    }
}
