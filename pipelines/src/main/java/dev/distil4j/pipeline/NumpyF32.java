package dev.distil4j.pipeline;

/**
 * The float32 NumPy arithmetic the Hugging Face pipelines post-process logits with, reproduced so
 * that scores agree to the last bits rather than to a tolerance: sums use NumPy's pairwise
 * summation (8 accumulators, blocks of 128), everything stays in float32.
 */
final class NumpyF32 {
    private static final int PW_BLOCKSIZE = 128;

    private NumpyF32() {}

    /** {@code np.sum} of {@code a[off .. off+n)} for a contiguous float32 array (pairwise, as NumPy). */
    static float sum(float[] a, int off, int n) {
        if (n < 8) {
            float res = 0f;
            for (int i = 0; i < n; i++) res += a[off + i];
            return res;
        }
        if (n <= PW_BLOCKSIZE) {
            float r0 = a[off], r1 = a[off + 1], r2 = a[off + 2], r3 = a[off + 3];
            float r4 = a[off + 4], r5 = a[off + 5], r6 = a[off + 6], r7 = a[off + 7];
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                r0 += a[off + i];
                r1 += a[off + i + 1];
                r2 += a[off + i + 2];
                r3 += a[off + i + 3];
                r4 += a[off + i + 4];
                r5 += a[off + i + 5];
                r6 += a[off + i + 6];
                r7 += a[off + i + 7];
            }
            float res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) res += a[off + i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return sum(a, off, n2) + sum(a, off + n2, n - n2);
    }

    /** float32 {@code exp}, correctly rounded (NumPy's SIMD exp is within an ulp of this). */
    static float exp(float x) {
        return (float) Math.exp(x);
    }

    /**
     * The token-classification softmax of one row, in place semantics of
     * {@code e = np.exp(x - x.max(-1)); e / e.sum(-1)}.
     */
    static float[] softmax(float[] logits, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[off + i]);
        float[] e = new float[n];
        for (int i = 0; i < n; i++) e[i] = exp(logits[off + i] - max);
        float s = sum(e, 0, n);
        for (int i = 0; i < n; i++) e[i] = e[i] / s;
        return e;
    }

    /** Index of the first maximum ({@code np.argmax}; NaN never occurs in softmax output). */
    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) best = i;
        }
        return best;
    }

    /**
     * {@code np.nanmean} of float32 values without NaN, as NumPy does it for a float32 total divided
     * by an integer count: the quotient is taken in float64 and rounded back to float32.
     */
    static float mean(float total, int count) {
        return (float) ((double) total / count);
    }
}
