package dev.distil4j.kernels;

/**
 * The numeric primitives the encoders need, on row-major float arrays. Two implementations:
 * {@link ScalarKernels}, the plain reference, and {@link VectorKernels}, the Panama Vector API
 * one; {@link #best()} picks once per JVM. Both are stateless and thread-safe; parallelism is
 * {@link Compute}'s job, which splits work into ranges and calls these on each.
 */
public interface Kernels {

    /** A short name for logs and benchmarks ("scalar", "vector-512"). */
    String name();

    /**
     * The Hugging Face Linear on a column range: with {@code n = w.rows()}, {@code k = w.cols()},
     * for rows {@code i < m} and output columns {@code j in [n0, n1)}:
     * {@code y[i*n + j] = bias[j] + sum_c x[i*k + c] * w[j*k + c]}.
     * {@code w} is the weight as stored, [n, k] row-major; {@code bias} may be null.
     */
    void linear(float[] x, int m, WeightMatrix w, float[] bias, float[] y, int n0, int n1);

    /** Rows of W per panel in the {@link PackedMatrix} layout {@link #matmul} wants. */
    int panelWidth();

    /**
     * Packs Linear weights (stacked by rows when several) for {@link #matmul}, once, at load: in
     * {@code format} into {@code slab} (null: an array of their own).
     */
    default PackedMatrix pack(WeightFormat format, Slab slab, WeightMatrix... weights) {
        return PackedMatrix.pack(format, panelWidth(), slab, weights);
    }

    /**
     * {@link PackedMatrix#packRows}: {@code n} rows of length {@code k} from {@code src} (row j at
     * {@code off + j * ld}) packed into {@code buf} for {@link #matmul} (attention keys). A transposition.
     */
    default PackedMatrix packRows(float[] src, int off, int ld, int n, int k, float[] buf) {
        return PackedMatrix.packRows(src, off, ld, n, k, panelWidth(), buf);
    }

    /**
     * The fused Linear: for rows {@code i < m} and output columns {@code j in [n0, n1)},
     * <pre>
     *   c[cOff + i*ldc + j] = act(bias[j] + sum_t a[aOff + i*lda + t] * W[j][t]) + residual[cOff + i*ldc + j]
     * </pre>
     * with {@code W = b} [n, k] packed by {@link #pack} (panel width {@link #panelWidth()});
     * {@code bias}, {@code act} and {@code residual} may each be null (absent). {@code n0} must be a
     * multiple of the panel width. Strided {@code a} and {@code c} serve attention heads in place.
     * {@code residual == c} accumulates, {@code c += a . W^T} (then {@code bias} and {@code act} must be null).
     */
    void matmul(float[] a, int aOff, int lda, int m, PackedMatrix b, float[] bias, Activation act, float[] residual,
                float[] c, int cOff, int ldc, int n0, int n1);

    /**
     * The attention row: {@code x[off + j] /= divisor}, keys {@code j} with {@code keyMask[j] == 0}
     * (when the mask is non-null) set to the lowest float, then the softmax, in place.
     */
    default void scaledMaskedSoftmax(float[] x, int off, int len, float divisor, int[] keyMask) {
        for (int j = 0; j < len; j++) {
            x[off + j] = keyMask != null && keyMask[j] == 0 ? -Float.MAX_VALUE : x[off + j] / divisor;
        }
        softmax(x, off, len);
    }

    /**
     * The attention row without its last pass: like {@link #scaledMaskedSoftmax} but leaves
     * {@code x[off + j] = exp((x_j - max) / divisor)} (0 for masked keys) unnormalised and returns
     * their sum; the caller divides the row's context by it instead (d values instead of len).
     */
    default float scaledMaskedExp(float[] x, int off, int len, float divisor, int[] keyMask) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            x[off + j] = keyMask != null && keyMask[j] == 0 ? -Float.MAX_VALUE : x[off + j] / divisor;
            max = Math.max(max, x[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < len; j++) {
            double e = Math.exp((double) x[off + j] - max);
            x[off + j] = (float) e;
            sum += e;
        }
        return (float) sum;
    }

    /** {@code x[off + c] *= factor} for {@code c < len}. */
    default void scale(float[] x, int off, int len, float factor) {
        for (int c = 0; c < len; c++) x[off + c] *= factor;
    }

    /** {@code sum_c a[ao + c] * b[bo + c]} for {@code c < len}. */
    float dot(float[] a, int ao, float[] b, int bo, int len);

    /** {@code y[yo + c] += alpha * x[xo + c]} for {@code c < len}. */
    void axpy(float alpha, float[] x, int xo, float[] y, int yo, int len);

    /** {@code y[c] += x[c]} for {@code c < len} (the residual connection). */
    void add(float[] x, float[] y, int len);

    /**
     * LayerNorm of each row of {@code x} (rows {@code [r0, r1)}, width {@code dim}) into {@code out}
     * (may be {@code x}): {@code (x - mean) / sqrt(var + eps) * gamma + beta}, biased variance.
     */
    default void layerNorm(float[] x, float[] out, int dim, int r0, int r1, float[] gamma, float[] beta, float eps) {
        layerNorm(x, out, dim, r0, r1, gamma, beta, eps, null, null);
    }

    /** {@link #layerNorm} that also records each row's mean and {@code 1 / sqrt(var + eps)} when the arrays are non-null (training). */
    void layerNorm(float[] x, float[] out, int dim, int r0, int r1, float[] gamma, float[] beta, float eps, float[] mean, float[] rstd);

    /**
     * LayerNorm's input gradient for rows {@code [r0, r1)}: with {@code xhat = (x - mean) rstd} and
     * {@code g = dy * gamma}, {@code dx = rstd (g - mean(g) - xhat mean(g xhat))}. {@code dx} may be {@code dy}.
     */
    default void layerNormBackward(float[] x, float[] dy, float[] dx, int dim, int r0, int r1, float[] gamma,
                                   float[] mean, float[] rstd) {
        for (int r = r0; r < r1; r++) {
            int o = r * dim;
            double sumG = 0, sumGx = 0;
            for (int c = 0; c < dim; c++) {
                double g = (double) dy[o + c] * gamma[c];
                sumG += g;
                sumGx += g * (x[o + c] - mean[r]) * rstd[r];
            }
            double mg = sumG / dim, mgx = sumGx / dim;
            for (int c = 0; c < dim; c++) {
                double xhat = (x[o + c] - mean[r]) * rstd[r];
                dx[o + c] = (float) (rstd[r] * ((double) dy[o + c] * gamma[c] - mg - xhat * mgx));
            }
        }
    }

    /** LayerNorm's parameter gradients over rows {@code [r0, r1)} and columns {@code [c0, c1)}: {@code dgamma += dy xhat}, {@code dbeta += dy} (either may be null). */
    default void layerNormParamGrads(float[] x, float[] dy, int dim, int r0, int r1, float[] mean, float[] rstd,
                                     float[] dgamma, float[] dbeta, int c0, int c1) {
        for (int r = r0; r < r1; r++) {
            int o = r * dim;
            for (int c = c0; c < c1; c++) {
                if (dgamma != null) dgamma[c] += dy[o + c] * ((x[o + c] - mean[r]) * rstd[r]);
                if (dbeta != null) dbeta[c] += dy[o + c];
            }
        }
    }

    /** In-place numerically stable softmax of {@code x[off, off + len)}. */
    void softmax(float[] x, int off, int len);

    /** In-place activation on {@code x[off, off + len)}. */
    void activation(Activation act, float[] x, int off, int len);

    /**
     * The backward of an activation: {@code dx[off + c] = dy[off + c] * act'(x[off + c])} for
     * {@code c < len}, with {@code x} the activation's input. {@code dx} may be {@code dy}.
     */
    default void activationBackward(Activation act, float[] x, float[] dy, float[] dx, int off, int len) {
        for (int c = off; c < off + len; c++) dx[c] = (float) (dy[c] * ScalarKernels.derivative(act, x[c]));
    }

    /**
     * One AdamW update of {@code [off, off + len)} as torch.optim.AdamW computes it in float32:
     * {@code w *= decay; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= stepSize m / (sqrt(v) / bc2Sqrt + eps)}.
     * Every implementation gives the same bits (no fused multiply-adds: sqrt and division are exact-rounded).
     */
    default void adamW(float[] w, float[] g, float[] m, float[] v, int off, int len, float decay,
                       float b1, float b2, float stepSize, float bc2Sqrt, float eps) {
        for (int j = off; j < off + len; j++) {
            if (decay != 1f) w[j] *= decay;
            float gj = g[j];
            m[j] = m[j] * b1 + gj * (1 - b1);
            v[j] = v[j] * b2 + gj * gj * (1 - b2);
            w[j] -= stepSize * (m[j] / ((float) Math.sqrt(v[j]) / bc2Sqrt + eps));
        }
    }

    /**
     * Dropout's keep flags: {@code keep[i] = 1} when {@link Rng#uniform}{@code (key, i) >= p}, else 0,
     * for {@code i in [from, to)}. A pure function of (key, i): any split gives the same mask.
     */
    default void dropoutMask(long key, float p, byte[] keep, int from, int to) {
        for (int i = from; i < to; i++) keep[i] = Rng.uniform(key, i) >= p ? (byte) 1 : 0;
    }

    /**
     * Applies dropout's keep flags in place: {@code x[xo + i] = keep[ko + i] != 0 ? x[xo + i] * scale : 0}
     * for {@code i < len} (the forward with scale 1 / (1 - p), and its backward).
     */
    default void dropoutApply(byte[] keep, int ko, float scale, float[] x, int xo, int len) {
        for (int i = 0; i < len; i++) x[xo + i] = keep[ko + i] != 0 ? x[xo + i] * scale : 0f;
    }

    /**
     * {@code dst[dOff + c*ldd + r] = src[so + r*lds + c]} for {@code r < rows, c < cols}: a transposed
     * copy (packing weights for {@link #matmul}; a weight gradient's dY^T; attention's backward).
     */
    default void transpose(float[] src, int so, int lds, int rows, int cols, float[] dst, int dOff, int ldd) {
        for (int c0 = 0; c0 < cols; c0 += 16) {   // blocks of 16 columns: their destination rows stay in L1
            int c1 = Math.min(cols, c0 + 16);
            for (int r = 0; r < rows; r++) {
                for (int c = c0; c < c1; c++) dst[dOff + c * ldd + r] = src[so + r * lds + c];
            }
        }
    }

    /** The scalar reference, always available. */
    static Kernels scalar() {
        return ScalarKernels.INSTANCE;
    }

    /**
     * The fastest implementation this JVM can run: the Vector API one when the
     * {@code jdk.incubator.vector} module is present (run with {@code --add-modules jdk.incubator.vector}),
     * else the scalar one. The system property {@code distil4j.kernels=scalar|vector} forces a choice.
     */
    static Kernels best() {
        return KernelSelection.BEST;
    }
}
