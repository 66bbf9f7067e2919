package dev.distil4j.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Kernels on the Panama Vector API ({@code jdk.incubator.vector}), at the CPU's preferred width
 * (16 floats with AVX-512). Loaded only when that module is present.
 *
 * <p>The Linear copies a block of weight rows into a per-thread panel (the weights stay in the
 * mapped file; the copy is what BLAS packing does) and computes 4x4 tiles of dot products, each
 * tile reading 4 input rows and 4 weight rows once per 16 multiply-adds.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Weight rows per panel: 32 rows of k <= 3072 floats stay within a core's L2. */
    private static final int PANEL_ROWS = 32;

    private final ThreadLocal<float[]> panels = new ThreadLocal<>();

    /** The matmul micro-tile: MR rows x NV vectors of output columns, kept in 24 vector registers. */
    private static final int MR = 6, NV = 4, P = NV * L;
    /** Depth block: a panel's KC x P block (192 KB at AVX-512) stays in L2 while all rows stream past it. */
    private static final int KC = 768;
    /** L int8 weights, widened to one float vector. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    /** L bfloat16 weights, widened through int lanes. */
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private final ThreadLocal<float[]> tiles = ThreadLocal.withInitial(() -> new float[MR * P]);

    private VectorKernels() {}

    static VectorKernels create() {
        return new VectorKernels();
    }

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    private float[] panel(int size) {
        float[] p = panels.get();
        if (p == null || p.length < size) {
            p = new float[size];
            panels.set(p);
        }
        return p;
    }

    @Override
    public void linear(float[] x, int m, WeightMatrix w, float[] bias, float[] y, int n0, int n1) {
        int k = w.cols(), n = w.rows();
        float[] panel = panel(PANEL_ROWS * k);
        for (int jb = n0; jb < n1; jb += PANEL_ROWS) {
            int rows = Math.min(PANEL_ROWS, n1 - jb);
            w.copyRows(jb, rows, panel);
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                int j = 0;
                for (; j + 4 <= rows; j += 4) tile4x4(x, i, panel, j, k, bias, y, n, jb);
                for (; j < rows; j++) {
                    for (int r = 0; r < 4; r++) y[(i + r) * n + jb + j] = bias(bias, jb + j) + dot(x, (i + r) * k, panel, j * k, k);
                }
            }
            for (; i < m; i++) {
                for (int j = 0; j < rows; j++) {
                    y[i * n + jb + j] = bias(bias, jb + j) + dot(x, i * k, panel, j * k, k);
                }
            }
        }
    }

    private static float bias(float[] bias, int j) {
        return bias == null ? 0f : bias[j];
    }

    /** y[i..i+3][jb+j..jb+j+3] = x[i..i+3] . panel[j..j+3] + bias. */
    private static void tile4x4(float[] x, int i, float[] p, int j, int k, float[] bias, float[] y, int n, int jb) {
        int x0 = i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
        int w0 = j * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k;
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int upper = S.loopBound(k), c = 0;
        for (; c < upper; c += L) {
            FloatVector v0 = FloatVector.fromArray(S, p, w0 + c);
            FloatVector v1 = FloatVector.fromArray(S, p, w1 + c);
            FloatVector v2 = FloatVector.fromArray(S, p, w2 + c);
            FloatVector v3 = FloatVector.fromArray(S, p, w3 + c);
            FloatVector u = FloatVector.fromArray(S, x, x0 + c);
            a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
            u = FloatVector.fromArray(S, x, x1 + c);
            a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
            u = FloatVector.fromArray(S, x, x2 + c);
            a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
            u = FloatVector.fromArray(S, x, x3 + c);
            a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33);
        }
        if (c < k) {
            VectorMask<Float> mask = S.indexInRange(c, k);
            FloatVector v0 = FloatVector.fromArray(S, p, w0 + c, mask);
            FloatVector v1 = FloatVector.fromArray(S, p, w1 + c, mask);
            FloatVector v2 = FloatVector.fromArray(S, p, w2 + c, mask);
            FloatVector v3 = FloatVector.fromArray(S, p, w3 + c, mask);
            FloatVector u = FloatVector.fromArray(S, x, x0 + c, mask);
            a00 = u.fma(v0, a00); a01 = u.fma(v1, a01); a02 = u.fma(v2, a02); a03 = u.fma(v3, a03);
            u = FloatVector.fromArray(S, x, x1 + c, mask);
            a10 = u.fma(v0, a10); a11 = u.fma(v1, a11); a12 = u.fma(v2, a12); a13 = u.fma(v3, a13);
            u = FloatVector.fromArray(S, x, x2 + c, mask);
            a20 = u.fma(v0, a20); a21 = u.fma(v1, a21); a22 = u.fma(v2, a22); a23 = u.fma(v3, a23);
            u = FloatVector.fromArray(S, x, x3 + c, mask);
            a30 = u.fma(v0, a30); a31 = u.fma(v1, a31); a32 = u.fma(v2, a32); a33 = u.fma(v3, a33);
        }
        int col = jb + j;
        float b0 = bias(bias, col), b1 = bias(bias, col + 1), b2 = bias(bias, col + 2), b3 = bias(bias, col + 3);
        int y0 = i * n + col, y1 = y0 + n, y2 = y1 + n, y3 = y2 + n;
        y[y0] = b0 + sum(a00);
        y[y0 + 1] = b1 + sum(a01);
        y[y0 + 2] = b2 + sum(a02);
        y[y0 + 3] = b3 + sum(a03);
        y[y1] = b0 + sum(a10);
        y[y1 + 1] = b1 + sum(a11);
        y[y1 + 2] = b2 + sum(a12);
        y[y1 + 3] = b3 + sum(a13);
        y[y2] = b0 + sum(a20);
        y[y2 + 1] = b1 + sum(a21);
        y[y2 + 2] = b2 + sum(a22);
        y[y2 + 3] = b3 + sum(a23);
        y[y3] = b0 + sum(a30);
        y[y3 + 1] = b1 + sum(a31);
        y[y3 + 2] = b2 + sum(a32);
        y[y3 + 3] = b3 + sum(a33);
    }

    @Override
    public int panelWidth() {
        return P;
    }

    @Override
    public void matmul(float[] a, int aOff, int lda, int m, PackedMatrix b, float[] bias, Activation act, float[] residual,
                       float[] c, int cOff, int ldc, int n0, int n1) {
        // P wide panels, or one of L for at most L rows (packRows: the keys of a short input)
        int pw = b.panel();
        if (pw != P && !(pw == L && b.rows() <= L)) throw new IllegalArgumentException("packed for panel width " + pw + ", these kernels need " + P);
        if (n0 % P != 0) throw new IllegalArgumentException("column range must start on a panel boundary: " + n0);
        if (m <= 0 || n0 >= n1) return;
        int k = b.cols();
        boolean int8 = b.isQuantized();
        // residual == c: accumulate, c += a . W^T (the accumulators start from c)
        boolean accumulate = residual == c;
        if (accumulate && (bias != null || act != null || int8)) {
            throw new IllegalArgumentException("accumulating into c takes no bias, activation or int8 weights");
        }
        float[] w = b.data(), t = tiles.get();
        byte[] wq = b.quantized();
        int[] wh = b.bf16();
        float[] scales = b.scales();
        for (int j0 = n0; j0 < n1; j0 += P) {
            int cols = Math.min(P, n1 - j0), panelBase = (j0 / P) * k * P;
            int k0 = 0;
            do {
                int kc = Math.min(KC, k - k0);
                boolean first = k0 == 0, last = k0 + kc >= k;
                for (int i = 0; i < m; i += MR) {
                    int rows = Math.min(MR, m - i), o = cOff + i * ldc + j0;
                    // full tiles go straight between registers and c; edge tiles through t
                    boolean full = rows == MR && cols == P;
                    float[] out = full ? c : t;
                    int oo = full ? o : 0, ldo = full ? ldc : P;
                    boolean init = first && !accumulate;
                    float[] initBias = init && !int8 ? bias : null;
                    boolean fromOut = !init;
                    if (!full) {
                        if (init) initTile(t, initBias, j0, cols); else copyTile(c, o, ldc, t, rows, cols, true);
                        fromOut = true;
                    }
                    // rows past m repeat the last row: computed, never stored
                    int last1 = m - 1, r = aOff + k0;
                    int a0 = r + i * lda, a1 = r + Math.min(i + 1, last1) * lda, a2 = r + Math.min(i + 2, last1) * lda,
                            a3 = r + Math.min(i + 3, last1) * lda, a4 = r + Math.min(i + 4, last1) * lda, a5 = r + Math.min(i + 5, last1) * lda;
                    int wo = b.offset() + panelBase + k0 * pw;
                    if (int8) {
                        kernelInt8(a, a0, a1, a2, a3, a4, a5, wq, wo, kc, initBias, j0, fromOut, out, oo, ldo);
                    } else if (wh != null) {
                        kernelBf16(a, a0, a1, a2, a3, a4, a5, wh, b.offset() + (panelBase + k0 * P) / 2, kc, initBias, j0, fromOut, out, oo, ldo);
                    } else if (cols <= L) {
                        narrowKernel(a, a0, a1, a2, a3, a4, a5, w, wo, pw, kc, out, oo, ldo);
                    } else {
                        kernel(a, a0, a1, a2, a3, a4, a5, w, wo, kc, initBias, j0, fromOut, out, oo, ldo);
                    }
                    if (!full) copyTile(c, o, ldc, t, rows, cols, false);
                    if (last) finish(c, o, ldc, rows, cols, int8 ? scales : null, bias, j0, act, accumulate ? null : residual);
                }
                k0 += kc;
            } while (k0 < k);
        }
    }

    private static void initTile(float[] t, float[] bias, int j0, int cols) {
        for (int r = 0; r < MR; r++) {
            if (bias == null) {
                java.util.Arrays.fill(t, r * P, (r + 1) * P, 0f);
            } else {
                System.arraycopy(bias, j0, t, r * P, cols);
                if (cols < P) java.util.Arrays.fill(t, r * P + cols, (r + 1) * P, 0f);
            }
        }
    }

    private static FloatVector widen(byte[] q, int off) {
        return (FloatVector) ByteVector.fromArray(B, q, off).convertShape(VectorOperators.B2F, S, 0);
    }


    /** The bfloat16 in the low halves of {@code pairs}' lanes, as floats. */
    private static FloatVector lowBf16(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** The bfloat16 in the high halves, as floats. */
    private static FloatVector highBf16(IntVector pairs) {
        return pairs.lanewise(VectorOperators.AND, 0xffff0000).reinterpretAsFloats();
    }

    /**
     * The micro-kernel: out rows += a rows x the packed panel, over kc steps of depth.
     * Six rows x {@code P} columns: 24 accumulators, 4 weight vectors and one broadcast input in
     * registers (29 of 32 with AVX-512). Accumulators start from {@code out}'s rows
     * ({@code fromOut}), else from {@code bias[j0..j0+P)}, else zero; they end in
     * {@code out[oo + r*ldo ..]}, {@code r < 6}.
     *
     * <p>{@link #kernelBf16} and {@link #kernelInt8} repeat this body with another weight load, on purpose: the 24 accumulators must stay local variables of one method (a helper that took or
     * returned them would box every vector unless C2 happened to inline it).
     */
    private static void kernel(float[] a, int a0, int a1, int a2, int a3, int a4, int a5, float[] w, int wo, int kc,
                                   float[] bias, int j0, boolean fromOut, float[] out, int oo, int ldo) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        FloatVector c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (fromOut) {
            c00 = FloatVector.fromArray(S, out, oo + 0 * ldo); c01 = FloatVector.fromArray(S, out, oo + 0 * ldo + L);
            c02 = FloatVector.fromArray(S, out, oo + 0 * ldo + 2 * L); c03 = FloatVector.fromArray(S, out, oo + 0 * ldo + 3 * L);
            c10 = FloatVector.fromArray(S, out, oo + 1 * ldo); c11 = FloatVector.fromArray(S, out, oo + 1 * ldo + L);
            c12 = FloatVector.fromArray(S, out, oo + 1 * ldo + 2 * L); c13 = FloatVector.fromArray(S, out, oo + 1 * ldo + 3 * L);
            c20 = FloatVector.fromArray(S, out, oo + 2 * ldo); c21 = FloatVector.fromArray(S, out, oo + 2 * ldo + L);
            c22 = FloatVector.fromArray(S, out, oo + 2 * ldo + 2 * L); c23 = FloatVector.fromArray(S, out, oo + 2 * ldo + 3 * L);
            c30 = FloatVector.fromArray(S, out, oo + 3 * ldo); c31 = FloatVector.fromArray(S, out, oo + 3 * ldo + L);
            c32 = FloatVector.fromArray(S, out, oo + 3 * ldo + 2 * L); c33 = FloatVector.fromArray(S, out, oo + 3 * ldo + 3 * L);
            c40 = FloatVector.fromArray(S, out, oo + 4 * ldo); c41 = FloatVector.fromArray(S, out, oo + 4 * ldo + L);
            c42 = FloatVector.fromArray(S, out, oo + 4 * ldo + 2 * L); c43 = FloatVector.fromArray(S, out, oo + 4 * ldo + 3 * L);
            c50 = FloatVector.fromArray(S, out, oo + 5 * ldo); c51 = FloatVector.fromArray(S, out, oo + 5 * ldo + L);
            c52 = FloatVector.fromArray(S, out, oo + 5 * ldo + 2 * L); c53 = FloatVector.fromArray(S, out, oo + 5 * ldo + 3 * L);
        } else {
            FloatVector z = FloatVector.zero(S);
            FloatVector b0 = bias == null ? z : FloatVector.fromArray(S, bias, j0), b1 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + L);
            FloatVector b2 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + 2 * L), b3 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + 3 * L);
            c00 = b0; c01 = b1; c02 = b2; c03 = b3; c10 = b0; c11 = b1; c12 = b2; c13 = b3;
            c20 = b0; c21 = b1; c22 = b2; c23 = b3; c30 = b0; c31 = b1; c32 = b2; c33 = b3;
            c40 = b0; c41 = b1; c42 = b2; c43 = b3; c50 = b0; c51 = b1; c52 = b2; c53 = b3;
        }
        for (int s = 0; s < kc; s++) {
            int wp = wo + s * P;
            FloatVector b0 = FloatVector.fromArray(S, w, wp), b1 = FloatVector.fromArray(S, w, wp + L),
                    b2 = FloatVector.fromArray(S, w, wp + 2 * L), b3 = FloatVector.fromArray(S, w, wp + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + s]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + s]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + s]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + s]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[a4 + s]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[a5 + s]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        c00.intoArray(out, oo + 0 * ldo); c01.intoArray(out, oo + 0 * ldo + L); c02.intoArray(out, oo + 0 * ldo + 2 * L); c03.intoArray(out, oo + 0 * ldo + 3 * L);
        c10.intoArray(out, oo + 1 * ldo); c11.intoArray(out, oo + 1 * ldo + L); c12.intoArray(out, oo + 1 * ldo + 2 * L); c13.intoArray(out, oo + 1 * ldo + 3 * L);
        c20.intoArray(out, oo + 2 * ldo); c21.intoArray(out, oo + 2 * ldo + L); c22.intoArray(out, oo + 2 * ldo + 2 * L); c23.intoArray(out, oo + 2 * ldo + 3 * L);
        c30.intoArray(out, oo + 3 * ldo); c31.intoArray(out, oo + 3 * ldo + L); c32.intoArray(out, oo + 3 * ldo + 2 * L); c33.intoArray(out, oo + 3 * ldo + 3 * L);
        c40.intoArray(out, oo + 4 * ldo); c41.intoArray(out, oo + 4 * ldo + L); c42.intoArray(out, oo + 4 * ldo + 2 * L); c43.intoArray(out, oo + 4 * ldo + 3 * L);
        c50.intoArray(out, oo + 5 * ldo); c51.intoArray(out, oo + 5 * ldo + L); c52.intoArray(out, oo + 5 * ldo + 2 * L); c53.intoArray(out, oo + 5 * ldo + 3 * L);
    }

    /**
     * {@link #kernel} for at most one vector of columns (attention scores of inputs up to 16 tokens,
     * small heads): six rows x {@code L} columns, so that three quarters of the work is not spent on
     * a P-wide panel's padding. Depth steps are {@code stride} floats apart (the panel's width).
     * Always an edge tile: accumulates onto {@code out}'s rows.
     */
    private static void narrowKernel(float[] a, int a0, int a1, int a2, int a3, int a4, int a5, float[] w, int wo, int stride,
                                     int kc, float[] out, int oo, int ldo) {
        FloatVector c0 = FloatVector.fromArray(S, out, oo), c1 = FloatVector.fromArray(S, out, oo + ldo),
                c2 = FloatVector.fromArray(S, out, oo + 2 * ldo), c3 = FloatVector.fromArray(S, out, oo + 3 * ldo),
                c4 = FloatVector.fromArray(S, out, oo + 4 * ldo), c5 = FloatVector.fromArray(S, out, oo + 5 * ldo);
        for (int s = 0; s < kc; s++) {
            FloatVector b = FloatVector.fromArray(S, w, wo + s * stride);
            c0 = FloatVector.broadcast(S, a[a0 + s]).fma(b, c0);
            c1 = FloatVector.broadcast(S, a[a1 + s]).fma(b, c1);
            c2 = FloatVector.broadcast(S, a[a2 + s]).fma(b, c2);
            c3 = FloatVector.broadcast(S, a[a3 + s]).fma(b, c3);
            c4 = FloatVector.broadcast(S, a[a4 + s]).fma(b, c4);
            c5 = FloatVector.broadcast(S, a[a5 + s]).fma(b, c5);
        }
        c0.intoArray(out, oo); c1.intoArray(out, oo + ldo); c2.intoArray(out, oo + 2 * ldo);
        c3.intoArray(out, oo + 3 * ldo); c4.intoArray(out, oo + 4 * ldo); c5.intoArray(out, oo + 5 * ldo);
    }

    /**
     * {@link #kernel} on bfloat16 weights, widened to float in registers: half the weight traffic.
     * {@code w} holds them two to an int ({@link PackedMatrix#bf16Slot}), {@code wo} counts ints:
     * two int loads and four shifts or masks per depth step give the four weight vectors.
     * Six rows x {@code P} columns: 24 accumulators, 4 weight vectors and one broadcast input in
     * registers (29 of 32 with AVX-512). Accumulators start from {@code out}'s rows
     * ({@code fromOut}), else from {@code bias[j0..j0+P)}, else zero; they end in
     * {@code out[oo + r*ldo ..]}, {@code r < 6}.
     */
    private static void kernelBf16(float[] a, int a0, int a1, int a2, int a3, int a4, int a5, int[] w, int wo, int kc,
                                   float[] bias, int j0, boolean fromOut, float[] out, int oo, int ldo) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        FloatVector c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (fromOut) {
            c00 = FloatVector.fromArray(S, out, oo + 0 * ldo); c01 = FloatVector.fromArray(S, out, oo + 0 * ldo + L);
            c02 = FloatVector.fromArray(S, out, oo + 0 * ldo + 2 * L); c03 = FloatVector.fromArray(S, out, oo + 0 * ldo + 3 * L);
            c10 = FloatVector.fromArray(S, out, oo + 1 * ldo); c11 = FloatVector.fromArray(S, out, oo + 1 * ldo + L);
            c12 = FloatVector.fromArray(S, out, oo + 1 * ldo + 2 * L); c13 = FloatVector.fromArray(S, out, oo + 1 * ldo + 3 * L);
            c20 = FloatVector.fromArray(S, out, oo + 2 * ldo); c21 = FloatVector.fromArray(S, out, oo + 2 * ldo + L);
            c22 = FloatVector.fromArray(S, out, oo + 2 * ldo + 2 * L); c23 = FloatVector.fromArray(S, out, oo + 2 * ldo + 3 * L);
            c30 = FloatVector.fromArray(S, out, oo + 3 * ldo); c31 = FloatVector.fromArray(S, out, oo + 3 * ldo + L);
            c32 = FloatVector.fromArray(S, out, oo + 3 * ldo + 2 * L); c33 = FloatVector.fromArray(S, out, oo + 3 * ldo + 3 * L);
            c40 = FloatVector.fromArray(S, out, oo + 4 * ldo); c41 = FloatVector.fromArray(S, out, oo + 4 * ldo + L);
            c42 = FloatVector.fromArray(S, out, oo + 4 * ldo + 2 * L); c43 = FloatVector.fromArray(S, out, oo + 4 * ldo + 3 * L);
            c50 = FloatVector.fromArray(S, out, oo + 5 * ldo); c51 = FloatVector.fromArray(S, out, oo + 5 * ldo + L);
            c52 = FloatVector.fromArray(S, out, oo + 5 * ldo + 2 * L); c53 = FloatVector.fromArray(S, out, oo + 5 * ldo + 3 * L);
        } else {
            FloatVector z = FloatVector.zero(S);
            FloatVector b0 = bias == null ? z : FloatVector.fromArray(S, bias, j0), b1 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + L);
            FloatVector b2 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + 2 * L), b3 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + 3 * L);
            c00 = b0; c01 = b1; c02 = b2; c03 = b3; c10 = b0; c11 = b1; c12 = b2; c13 = b3;
            c20 = b0; c21 = b1; c22 = b2; c23 = b3; c30 = b0; c31 = b1; c32 = b2; c33 = b3;
            c40 = b0; c41 = b1; c42 = b2; c43 = b3; c50 = b0; c51 = b1; c52 = b2; c53 = b3;
        }
        for (int s = 0; s < kc; s++) {
            int wp = wo + s * (P / 2);
            IntVector lo = IntVector.fromArray(I, w, wp), hi = IntVector.fromArray(I, w, wp + L);
            FloatVector b0 = lowBf16(lo), b1 = highBf16(lo), b2 = lowBf16(hi), b3 = highBf16(hi);
            FloatVector x = FloatVector.broadcast(S, a[a0 + s]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + s]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + s]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + s]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[a4 + s]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[a5 + s]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        c00.intoArray(out, oo + 0 * ldo); c01.intoArray(out, oo + 0 * ldo + L); c02.intoArray(out, oo + 0 * ldo + 2 * L); c03.intoArray(out, oo + 0 * ldo + 3 * L);
        c10.intoArray(out, oo + 1 * ldo); c11.intoArray(out, oo + 1 * ldo + L); c12.intoArray(out, oo + 1 * ldo + 2 * L); c13.intoArray(out, oo + 1 * ldo + 3 * L);
        c20.intoArray(out, oo + 2 * ldo); c21.intoArray(out, oo + 2 * ldo + L); c22.intoArray(out, oo + 2 * ldo + 2 * L); c23.intoArray(out, oo + 2 * ldo + 3 * L);
        c30.intoArray(out, oo + 3 * ldo); c31.intoArray(out, oo + 3 * ldo + L); c32.intoArray(out, oo + 3 * ldo + 2 * L); c33.intoArray(out, oo + 3 * ldo + 3 * L);
        c40.intoArray(out, oo + 4 * ldo); c41.intoArray(out, oo + 4 * ldo + L); c42.intoArray(out, oo + 4 * ldo + 2 * L); c43.intoArray(out, oo + 4 * ldo + 3 * L);
        c50.intoArray(out, oo + 5 * ldo); c51.intoArray(out, oo + 5 * ldo + L); c52.intoArray(out, oo + 5 * ldo + 2 * L); c53.intoArray(out, oo + 5 * ldo + 3 * L);
    }

    /**
     * {@link #kernel} on int8 weights, widened to float in registers (the scale comes in the epilogue).
     * Six rows x {@code P} columns: 24 accumulators, 4 weight vectors and one broadcast input in
     * registers (29 of 32 with AVX-512). Accumulators start from {@code out}'s rows
     * ({@code fromOut}), else from {@code bias[j0..j0+P)}, else zero; they end in
     * {@code out[oo + r*ldo ..]}, {@code r < 6}.
     */
    private static void kernelInt8(float[] a, int a0, int a1, int a2, int a3, int a4, int a5, byte[] w, int wo, int kc,
                                   float[] bias, int j0, boolean fromOut, float[] out, int oo, int ldo) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        FloatVector c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (fromOut) {
            c00 = FloatVector.fromArray(S, out, oo + 0 * ldo); c01 = FloatVector.fromArray(S, out, oo + 0 * ldo + L);
            c02 = FloatVector.fromArray(S, out, oo + 0 * ldo + 2 * L); c03 = FloatVector.fromArray(S, out, oo + 0 * ldo + 3 * L);
            c10 = FloatVector.fromArray(S, out, oo + 1 * ldo); c11 = FloatVector.fromArray(S, out, oo + 1 * ldo + L);
            c12 = FloatVector.fromArray(S, out, oo + 1 * ldo + 2 * L); c13 = FloatVector.fromArray(S, out, oo + 1 * ldo + 3 * L);
            c20 = FloatVector.fromArray(S, out, oo + 2 * ldo); c21 = FloatVector.fromArray(S, out, oo + 2 * ldo + L);
            c22 = FloatVector.fromArray(S, out, oo + 2 * ldo + 2 * L); c23 = FloatVector.fromArray(S, out, oo + 2 * ldo + 3 * L);
            c30 = FloatVector.fromArray(S, out, oo + 3 * ldo); c31 = FloatVector.fromArray(S, out, oo + 3 * ldo + L);
            c32 = FloatVector.fromArray(S, out, oo + 3 * ldo + 2 * L); c33 = FloatVector.fromArray(S, out, oo + 3 * ldo + 3 * L);
            c40 = FloatVector.fromArray(S, out, oo + 4 * ldo); c41 = FloatVector.fromArray(S, out, oo + 4 * ldo + L);
            c42 = FloatVector.fromArray(S, out, oo + 4 * ldo + 2 * L); c43 = FloatVector.fromArray(S, out, oo + 4 * ldo + 3 * L);
            c50 = FloatVector.fromArray(S, out, oo + 5 * ldo); c51 = FloatVector.fromArray(S, out, oo + 5 * ldo + L);
            c52 = FloatVector.fromArray(S, out, oo + 5 * ldo + 2 * L); c53 = FloatVector.fromArray(S, out, oo + 5 * ldo + 3 * L);
        } else {
            FloatVector z = FloatVector.zero(S);
            FloatVector b0 = bias == null ? z : FloatVector.fromArray(S, bias, j0), b1 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + L);
            FloatVector b2 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + 2 * L), b3 = bias == null ? z : FloatVector.fromArray(S, bias, j0 + 3 * L);
            c00 = b0; c01 = b1; c02 = b2; c03 = b3; c10 = b0; c11 = b1; c12 = b2; c13 = b3;
            c20 = b0; c21 = b1; c22 = b2; c23 = b3; c30 = b0; c31 = b1; c32 = b2; c33 = b3;
            c40 = b0; c41 = b1; c42 = b2; c43 = b3; c50 = b0; c51 = b1; c52 = b2; c53 = b3;
        }
        for (int s = 0; s < kc; s++) {
            int wp = wo + s * P;
            FloatVector b0 = widen(w, wp), b1 = widen(w, wp + L),
                    b2 = widen(w, wp + 2 * L), b3 = widen(w, wp + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + s]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + s]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + s]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + s]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[a4 + s]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[a5 + s]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        c00.intoArray(out, oo + 0 * ldo); c01.intoArray(out, oo + 0 * ldo + L); c02.intoArray(out, oo + 0 * ldo + 2 * L); c03.intoArray(out, oo + 0 * ldo + 3 * L);
        c10.intoArray(out, oo + 1 * ldo); c11.intoArray(out, oo + 1 * ldo + L); c12.intoArray(out, oo + 1 * ldo + 2 * L); c13.intoArray(out, oo + 1 * ldo + 3 * L);
        c20.intoArray(out, oo + 2 * ldo); c21.intoArray(out, oo + 2 * ldo + L); c22.intoArray(out, oo + 2 * ldo + 2 * L); c23.intoArray(out, oo + 2 * ldo + 3 * L);
        c30.intoArray(out, oo + 3 * ldo); c31.intoArray(out, oo + 3 * ldo + L); c32.intoArray(out, oo + 3 * ldo + 2 * L); c33.intoArray(out, oo + 3 * ldo + 3 * L);
        c40.intoArray(out, oo + 4 * ldo); c41.intoArray(out, oo + 4 * ldo + L); c42.intoArray(out, oo + 4 * ldo + 2 * L); c43.intoArray(out, oo + 4 * ldo + 3 * L);
        c50.intoArray(out, oo + 5 * ldo); c51.intoArray(out, oo + 5 * ldo + L); c52.intoArray(out, oo + 5 * ldo + 2 * L); c53.intoArray(out, oo + 5 * ldo + 3 * L);
    }

    private static void copyTile(float[] c, int o, int ldc, float[] t, int rows, int cols, boolean intoTile) {
        for (int r = 0; r < rows; r++) {
            if (intoTile) {
                System.arraycopy(c, o + r * ldc, t, r * P, cols);
            } else {
                System.arraycopy(t, r * P, c, o + r * ldc, cols);
            }
        }
    }

    /**
     * The epilogue, in place on the finished rows of c (still in L1): the int8 scale and bias,
     * the activation, the residual. The activation runs through the array loop: a FloatVector
     * passed across a call that is not inlined gets boxed, 10-100x slower.
     */
    private void finish(float[] c, int o, int ldc, int rows, int cols, float[] scales, float[] bias, int j0,
                        Activation act, float[] residual) {
        for (int r = 0; r < rows; r++) {
            int ro = o + r * ldc;
            if (scales != null) {
                for (int v = 0; v * L < cols; v++) {
                    VectorMask<Float> mask = S.indexInRange(v * L, cols);
                    FloatVector bi = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j0 + v * L, mask);
                    FloatVector.fromArray(S, c, ro + v * L, mask).fma(FloatVector.fromArray(S, scales, j0 + v * L, mask), bi)
                            .intoArray(c, ro + v * L, mask);
                }
            }
            if (act != null) activation(act, c, ro, cols);
            if (residual != null) {
                int v = 0;
                for (; v * L + L <= cols; v++) {
                    FloatVector.fromArray(S, c, ro + v * L).add(FloatVector.fromArray(S, residual, ro + v * L)).intoArray(c, ro + v * L);
                }
                if (v * L < cols) {
                    VectorMask<Float> mask = S.indexInRange(v * L, cols);
                    FloatVector.fromArray(S, c, ro + v * L, mask).add(FloatVector.fromArray(S, residual, ro + v * L, mask))
                            .intoArray(c, ro + v * L, mask);
                }
            }
        }
    }

    /** Row offsets 0, 1, ..., L-1 (times a stride at use): the gather pattern of {@link #packRows}. */
    private static final int[] LANES = java.util.stream.IntStream.range(0, L).toArray();

    /**
     * {@link PackedMatrix#packRows} with gathers: L rows' c-th values in one load. At most L rows
     * (the keys of an input of up to 16 tokens) go in one panel L wide, not P: a quarter of the
     * stores and no padding to write.
     */
    @Override
    public PackedMatrix packRows(float[] src, int off, int ld, int n, int k, float[] buf) {
        int pw = n <= L ? L : P, full = n / L * L;
        if (full == 0 || (long) off + (long) (n - 1) * ld + k > src.length) return PackedMatrix.packRows(src, off, ld, n, k, pw, buf);
        int[] index = new int[L];
        for (int i = 0; i < L; i++) index[i] = LANES[i] * ld;
        for (int j0 = 0; j0 < full; j0 += L) {
            int base = (j0 / pw) * k * pw + j0 % pw, s = off + j0 * ld;
            for (int c = 0; c < k; c++) FloatVector.fromArray(S, src, s + c, index, 0).intoArray(buf, base + c * pw);
        }
        if (full < n || n % pw != 0) {
            // the last rows one by one, then zeros up to the panel's width
            int lastPanel = (n - 1) / pw * pw;
            for (int j = full; j < n; j++) {
                int base = (j / pw) * k * pw + j % pw, s = off + j * ld;
                for (int c = 0; c < k; c++) buf[base + c * pw] = src[s + c];
            }
            int padFrom = n - lastPanel;
            if (padFrom < pw) {
                int base = (lastPanel / pw) * k * pw;
                for (int c = 0; c < k; c++) java.util.Arrays.fill(buf, base + c * pw + padFrom, base + (c + 1) * pw, 0f);
            }
        }
        return new PackedMatrix(buf, n, k, pw);
    }

    @Override
    public void scaledMaskedSoftmax(float[] x, int off, int len, float divisor, int[] keyMask) {
        int n = unpadded(x, off, len, keyMask);
        // softmax(x / d) = exp((x - max) / d) / sum: the division rides along in the exp pass
        softmax(x, off, n, 1f / divisor);
    }

    /**
     * Masks the keys and returns the length up to the last unmasked one, zeroing the trailing padding: the
     * lanes a sum puts each key in then do not depend on how far the batch was padded, so a sequence gets the
     * same bits alone and beside a longer one. (Exact zeros are what the padding's weights would be anyway.)
     */
    private static int unpadded(float[] x, int off, int len, int[] keyMask) {
        if (keyMask == null) return len;
        int n = len;
        while (n > 0 && keyMask[n - 1] == 0) n--;
        if (n == 0) n = len; // every key masked: the softmax of equal scores, as transformers gives
        for (int j = 0; j < n; j++) if (keyMask[j] == 0) x[off + j] = -Float.MAX_VALUE;
        java.util.Arrays.fill(x, off + n, off + len, 0f);
        return n;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int len) {
        FloatVector acc = FloatVector.zero(S);
        int upper = S.loopBound(len), c = 0;
        for (; c < upper; c += L) {
            acc = FloatVector.fromArray(S, a, ao + c).fma(FloatVector.fromArray(S, b, bo + c), acc);
        }
        float s = sum(acc);
        for (; c < len; c++) s += a[ao + c] * b[bo + c];
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int len) {
        FloatVector va = FloatVector.broadcast(S, alpha);
        int upper = S.loopBound(len), c = 0;
        for (; c < upper; c += L) {
            FloatVector.fromArray(S, x, xo + c).fma(va, FloatVector.fromArray(S, y, yo + c)).intoArray(y, yo + c);
        }
        for (; c < len; c++) y[yo + c] += alpha * x[xo + c];
    }

    @Override
    public void add(float[] x, float[] y, int len) {
        int upper = S.loopBound(len), c = 0;
        for (; c < upper; c += L) {
            FloatVector.fromArray(S, y, c).add(FloatVector.fromArray(S, x, c)).intoArray(y, c);
        }
        for (; c < len; c++) y[c] += x[c];
    }

    @Override
    public void layerNorm(float[] x, float[] out, int dim, int r0, int r1, float[] gamma, float[] beta, float eps,
                          float[] means, float[] rstds) {
        int upper = S.loopBound(dim);
        for (int r = r0; r < r1; r++) {
            int o = r * dim, c = 0;
            FloatVector acc = FloatVector.zero(S);
            for (; c < upper; c += L) acc = acc.add(FloatVector.fromArray(S, x, o + c));
            float sum = sum(acc);
            for (; c < dim; c++) sum += x[o + c];
            float mean = sum / dim;
            FloatVector vm = FloatVector.broadcast(S, mean);
            acc = FloatVector.zero(S);
            for (c = 0; c < upper; c += L) {
                FloatVector d = FloatVector.fromArray(S, x, o + c).sub(vm);
                acc = d.fma(d, acc);
            }
            float var = sum(acc);
            for (; c < dim; c++) {
                float d = x[o + c] - mean;
                var += d * d;
            }
            float inv = (float) (1 / Math.sqrt(var / dim + eps));
            if (means != null) {
                means[r] = mean;
                rstds[r] = inv;
            }
            FloatVector vi = FloatVector.broadcast(S, inv);
            for (c = 0; c < upper; c += L) {
                FloatVector.fromArray(S, x, o + c).sub(vm).mul(vi)
                        .fma(FloatVector.fromArray(S, gamma, c), FloatVector.fromArray(S, beta, c))
                        .intoArray(out, o + c);
            }
            for (; c < dim; c++) out[o + c] = (x[o + c] - mean) * inv * gamma[c] + beta[c];
        }
    }

    @Override
    public void softmax(float[] x, int off, int len) {
        softmax(x, off, len, 1f);
    }

    @Override
    public float scaledMaskedExp(float[] x, int off, int len, float divisor, int[] keyMask) {
        return expAndSum(x, off, unpadded(x, off, len, keyMask), 1f / divisor);
    }

    @Override
    public void scale(float[] x, int off, int len, float factor) {
        FloatVector f = FloatVector.broadcast(S, factor);
        int upper = S.loopBound(len), c = 0;
        for (; c < upper; c += L) FloatVector.fromArray(S, x, off + c).mul(f).intoArray(x, off + c);
        for (; c < len; c++) x[off + c] *= factor;
    }

    /** softmax(scale * x) in place, three passes: max, exp and sum, normalise. */
    private static void softmax(float[] x, int off, int len, float scale) {
        float inv = 1f / expAndSum(x, off, len, scale);
        FloatVector vi = FloatVector.broadcast(S, inv);
        int upper = S.loopBound(len), c = 0;
        for (; c < upper; c += L) FloatVector.fromArray(S, x, off + c).mul(vi).intoArray(x, off + c);
        for (; c < len; c++) x[off + c] *= inv;
    }

    /** x = exp(scale * (x - max x)) in place; returns the sum. Two vectors per step: two independent chains. */
    private static float expAndSum(float[] x, int off, int len, float scale) {
        int upper = S.loopBound(len), c = 0;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), vmax2 = vmax;
        for (; c + 2 * L <= upper; c += 2 * L) {
            vmax = vmax.max(FloatVector.fromArray(S, x, off + c));
            vmax2 = vmax2.max(FloatVector.fromArray(S, x, off + c + L));
        }
        for (; c < upper; c += L) vmax = vmax.max(FloatVector.fromArray(S, x, off + c));
        float max = vmax.max(vmax2).reduceLanes(VectorOperators.MAX);
        for (; c < len; c++) max = Math.max(max, x[off + c]);
        // scale * (x - max) as one fma: x * scale - max * scale
        FloatVector vs = FloatVector.broadcast(S, scale), vm = FloatVector.broadcast(S, -max * scale);
        FloatVector acc = FloatVector.zero(S), acc2 = acc;
        for (c = 0; c + 2 * L <= upper; c += 2 * L) {
            FloatVector e = exp(FloatVector.fromArray(S, x, off + c).fma(vs, vm));
            FloatVector e2 = exp(FloatVector.fromArray(S, x, off + c + L).fma(vs, vm));
            e.intoArray(x, off + c);
            e2.intoArray(x, off + c + L);
            acc = acc.add(e);
            acc2 = acc2.add(e2);
        }
        for (; c < upper; c += L) {
            FloatVector e = exp(FloatVector.fromArray(S, x, off + c).fma(vs, vm));
            e.intoArray(x, off + c);
            acc = acc.add(e);
        }
        float sum = sum(acc.add(acc2));
        for (; c < len; c++) {
            float e = (float) Math.exp((x[off + c] - max) * scale);
            x[off + c] = e;
            sum += e;
        }
        return sum;
    }

    @Override
    public void activation(Activation act, float[] x, int off, int len) {
        if (act == Activation.GELU) geluInPlace(x, off, len); else applyInPlace(act, x, off, len);
    }

    /**
     * GELU in a loop of its own. Inside {@link #applyInPlace}'s switch over every activation, C2 sometimes
     * compiles GELU's vector code without intrinsics (seen in profiles of whole training runs: FloatVector's
     * Java fallbacks such as {@code blendTemplate}, GELU the forward's third-largest cost); alone, as the
     * backward's loops, it is compiled to vector instructions.
     */
    private static void geluInPlace(float[] x, int off, int len) {
        int upper = S.loopBound(len), c = 0;
        for (; c < upper; c += L) gelu(FloatVector.fromArray(S, x, off + c)).intoArray(x, off + c);
        if (c < len) {
            VectorMask<Float> mask = S.indexInRange(c, len);
            gelu(FloatVector.fromArray(S, x, off + c, mask)).intoArray(x, off + c, mask);
        }
    }

    private static void applyInPlace(Activation act, float[] x, int off, int len) {
        int upper = S.loopBound(len), c = 0;
        for (; c < upper; c += L) apply(act, FloatVector.fromArray(S, x, off + c)).intoArray(x, off + c);
        if (c < len) {
            VectorMask<Float> mask = S.indexInRange(c, len);
            apply(act, FloatVector.fromArray(S, x, off + c, mask)).intoArray(x, off + c, mask);
        }
    }

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;

    /**
     * e^x with Cephes' expf polynomial (relative error about 1e-7 over the whole normal range),
     * in FMAs and integer ops only: 2^n from the exponent bits, n = round(x log2 e), x - n ln 2 split
     * in two constants. Far cheaper than the Vector API's EXP, which calls out to a library routine.
     * Arguments below -87.3 (results below the smallest normal float) give exactly 0; arguments
     * above 88.3 are clamped there (softmax and GELU only ever pass arguments <= 0). The clamps are
     * compare-and-blend, not {@code max}/{@code min}: those carry Java's NaN and -0.0 rules, several
     * instructions each, and made GELU 30% slower. No lower clamp: lanes below -87.3 get their 0
     * from the last blend, whatever the rounding trick made of them.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.blend(88.3f, x.compare(VectorOperators.GT, 88.3f));
        FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUNDER));
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(S, 1.9875691500e-4f), FloatVector.broadcast(S, 1.3981999507e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        FloatVector twoN = t.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(twoN).blend(0f, x.compare(VectorOperators.LT, -87.3f));
    }

    /** Lane i of {@code SHIFT_h} is lane i + h (wrapping): one halving step of {@link #sum}. */
    private static final VectorShuffle<Float> SHIFT_8 = L > 8 ? VectorShuffle.iota(S, 8, 1, true) : null,
            SHIFT_4 = L > 4 ? VectorShuffle.iota(S, 4, 1, true) : null,
            SHIFT_2 = L > 2 ? VectorShuffle.iota(S, 2, 1, true) : null,
            SHIFT_1 = L > 1 ? VectorShuffle.iota(S, 1, 1, true) : null;

    /**
     * The sum of the lanes in one fixed order (halves added pairwise), in lanewise adds only. Not
     * {@code reduceLanes(ADD)}: its order is unspecified, and C2's tree and the Java fallback that runs before
     * C2 has compiled a kernel sum differently, so results depended on how warm the JVM was.
     */
    static float sum(FloatVector v) {
        if (L > 16) throw new IllegalStateException("vectors of " + L + " floats");
        if (L > 8) v = v.add(v.rearrange(SHIFT_8));
        if (L > 4) v = v.add(v.rearrange(SHIFT_4));
        if (L > 2) v = v.add(v.rearrange(SHIFT_2));
        if (L > 1) v = v.add(v.rearrange(SHIFT_1));
        return v.lane(0);
    }

    /**
     * tanh as Cephes' tanhf: an odd polynomial below |x| = 0.625, else {@code sign(x) (1 - 2 / (e^{2|x|} + 1))}
     * from {@link #exp}; relative error about 2e-7. Not the Vector API's TANH, which C2 computes with a vector
     * math library and the Java fallback with StrictMath: different last bits before and after compilation.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector a = x.abs();
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(a.add(a)).add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(FloatVector.broadcast(S, -5.70498872745e-3f), FloatVector.broadcast(S, 2.06390887954e-2f));
        p = p.fma(z, FloatVector.broadcast(S, -5.37397155531e-2f));
        p = p.fma(z, FloatVector.broadcast(S, 1.33314422036e-1f));
        p = p.fma(z, FloatVector.broadcast(S, -3.33332819422e-1f));
        FloatVector small = p.mul(z).fma(x, x);
        return big.blend(small, a.compare(VectorOperators.LT, 0.625f));
    }

    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    private static FloatVector apply(Activation act, FloatVector x) {
        return switch (act) {
            case GELU -> gelu(x);
            case GELU_TANH -> {
                FloatVector inner = x.mul(x).mul(x).mul(0.044715f).add(x).mul(SQRT_2_OVER_PI);
                yield tanh(inner).add(1f).mul(x).mul(0.5f);
            }
            case RELU -> x.max(0f);
            case SILU -> x.div(exp(x.neg()).add(1f));
            case QUICK_GELU -> x.div(exp(x.mul(-1.702f)).add(1f));
            case TANH -> tanh(x);
        };
    }

    /**
     * Exact-form GELU {@code x * Phi(x) = 0.5 x erfc(-x / sqrt 2)}, with erfc from the Chebyshev
     * fit of Numerical Recipes (relative error < 1.2e-7 over the whole range), so the result stays
     * accurate in relative terms where GELU is tiny (large negative x).
     */
    private static FloatVector gelu(FloatVector x) {
        FloatVector half = x.mul(0.5f).mul(erfcOfAbs(x)); // x erfc(|x|/sqrt2) / 2
        // x >= 0: x * (1 - erfc/2); x < 0: x * erfc/2
        return x.sub(half).blend(half, x.compare(VectorOperators.LT, 0f));
    }

    /** {@code erfc(|x| / sqrt 2)} by the Chebyshev fit above. */
    private static FloatVector erfcOfAbs(FloatVector x) {
        FloatVector a = x.abs().mul(SQRT_HALF);
        FloatVector t = FloatVector.broadcast(S, 1f).div(a.fma(FloatVector.broadcast(S, 0.5f), FloatVector.broadcast(S, 1f)));
        FloatVector poly = t.fma(FloatVector.broadcast(S, 0.17087277f), FloatVector.broadcast(S, -0.82215223f));
        poly = poly.fma(t, FloatVector.broadcast(S, 1.48851587f));
        poly = poly.fma(t, FloatVector.broadcast(S, -1.13520398f));
        poly = poly.fma(t, FloatVector.broadcast(S, 0.27886807f));
        poly = poly.fma(t, FloatVector.broadcast(S, -0.18628806f));
        poly = poly.fma(t, FloatVector.broadcast(S, 0.09678418f));
        poly = poly.fma(t, FloatVector.broadcast(S, 0.37409196f));
        poly = poly.fma(t, FloatVector.broadcast(S, 1.00002368f));
        poly = poly.fma(t, FloatVector.broadcast(S, -1.26551223f));
        return t.mul(exp(poly.sub(a.mul(a))));
    }

    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    /**
     * GELU's derivative {@code Phi(x) + x phi(x)}, Phi from the same erfc as the forward, and ReLU's
     * step. GELU runs as two loops, each with one {@link #exp}: with both in one loop body C2 stops
     * inlining the second (its node budget), and every vector of it is then boxed on the heap.
     * The first loop leaves {@code erfc(|x| / sqrt 2) / 2} in dx; the second combines.
     */
    @Override
    public void activationBackward(Activation act, float[] x, float[] dy, float[] dx, int off, int len) {
        if (act != Activation.GELU && act != Activation.RELU) {
            Kernels.super.activationBackward(act, x, dy, dx, off, len);
            return;
        }
        int upper = S.loopBound(len);
        if (act == Activation.RELU) {
            int c = 0;
            for (; c < upper; c += L) {
                FloatVector v = FloatVector.fromArray(S, x, off + c);
                FloatVector.fromArray(S, dy, off + c).blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(dx, off + c);
            }
            if (c < len) Kernels.super.activationBackward(act, x, dy, dx, off + c, len - c);
            return;
        }
        for (int b0 = 0; b0 < upper; b0 += GELU_BLOCK) {
            int n = Math.min(upper, b0 + GELU_BLOCK) - b0;
            float[] half = geluScratch.get();   // not dx: dy may be dx
            geluHalfErfc(x, off + b0, half, n);
            geluCombine(x, dy, half, dx, off + b0, n);
        }
        if (upper < len) Kernels.super.activationBackward(act, x, dy, dx, off + upper, len - upper);
    }

    /** {@code half[c] = erfc(|x[off + c]| / sqrt 2) / 2}: the first loop, a method of its own (one exp per compilation). */
    private static void geluHalfErfc(float[] x, int off, float[] half, int n) {
        for (int c = 0; c < n; c += L) erfcOfAbs(FloatVector.fromArray(S, x, off + c)).mul(0.5f).intoArray(half, c);
    }

    /** {@code dx = dy (Phi(x) + x phi(x))} from the first loop's halves. */
    private static void geluCombine(float[] x, float[] dy, float[] half, float[] dx, int off, int n) {
        for (int c = 0; c < n; c += L) {
            FloatVector v = FloatVector.fromArray(S, x, off + c), h = FloatVector.fromArray(S, half, c);
            FloatVector cdf = h.neg().add(1f).blend(h, v.compare(VectorOperators.LT, 0f));
            FloatVector pdf = exp(v.mul(v).mul(-0.5f)).mul(INV_SQRT_2PI);
            FloatVector.fromArray(S, dy, off + c).mul(v.fma(pdf, cdf)).intoArray(dx, off + c);
        }
    }

    /** Values per block of the two GELU-derivative loops (stays in L1). */
    private static final int GELU_BLOCK = 1024;
    private final ThreadLocal<float[]> geluScratch = ThreadLocal.withInitial(() -> new float[GELU_BLOCK]);

    @Override
    public void adamW(float[] w, float[] g, float[] m, float[] v, int off, int len, float decay,
                      float b1, float b2, float stepSize, float bc2Sqrt, float eps) {
        int upper = S.loopBound(len), c = 0;
        float c1 = 1 - b1, c2 = 1 - b2;
        for (; c < upper; c += L) {
            int j = off + c;
            FloatVector wj = FloatVector.fromArray(S, w, j), gj = FloatVector.fromArray(S, g, j);
            if (decay != 1f) wj = wj.mul(decay);
            FloatVector mj = FloatVector.fromArray(S, m, j).mul(b1).add(gj.mul(c1));
            FloatVector vj = FloatVector.fromArray(S, v, j).mul(b2).add(gj.mul(gj).mul(c2));
            FloatVector denom = vj.lanewise(VectorOperators.SQRT).div(bc2Sqrt).add(eps);
            wj.sub(mj.div(denom).mul(stepSize)).intoArray(w, j);
            mj.intoArray(m, j);
            vj.intoArray(v, j);
        }
        if (c < len) Kernels.super.adamW(w, g, m, v, off + c, len - c, decay, b1, b2, stepSize, bc2Sqrt, eps);
    }

    @Override
    public void layerNormBackward(float[] x, float[] dy, float[] dx, int dim, int r0, int r1, float[] gamma,
                                  float[] mean, float[] rstd) {
        int upper = S.loopBound(dim);
        if (upper != dim) {
            Kernels.super.layerNormBackward(x, dy, dx, dim, r0, r1, gamma, mean, rstd);
            return;
        }
        for (int r = r0; r < r1; r++) {
            int o = r * dim;
            FloatVector vm = FloatVector.broadcast(S, mean[r]), vr = FloatVector.broadcast(S, rstd[r]);
            FloatVector sg = FloatVector.zero(S), sgx = FloatVector.zero(S);
            for (int c = 0; c < dim; c += L) {
                FloatVector g = FloatVector.fromArray(S, dy, o + c).mul(FloatVector.fromArray(S, gamma, c));
                FloatVector xhat = FloatVector.fromArray(S, x, o + c).sub(vm).mul(vr);
                sg = sg.add(g);
                sgx = g.fma(xhat, sgx);
            }
            FloatVector mg = FloatVector.broadcast(S, sum(sg) / dim);
            FloatVector mgx = FloatVector.broadcast(S, sum(sgx) / dim);
            for (int c = 0; c < dim; c += L) {
                FloatVector g = FloatVector.fromArray(S, dy, o + c).mul(FloatVector.fromArray(S, gamma, c));
                FloatVector xhat = FloatVector.fromArray(S, x, o + c).sub(vm).mul(vr);
                g.sub(mg).sub(xhat.mul(mgx)).mul(vr).intoArray(dx, o + c);
            }
        }
    }

    @Override
    public void layerNormParamGrads(float[] x, float[] dy, int dim, int r0, int r1, float[] mean, float[] rstd,
                                    float[] dgamma, float[] dbeta, int c0, int c1) {
        int upper = c0 + S.loopBound(c1 - c0);
        for (int c = c0; c < upper; c += L) {
            FloatVector dg = FloatVector.zero(S), db = FloatVector.zero(S);
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                FloatVector d = FloatVector.fromArray(S, dy, o + c);
                FloatVector xhat = FloatVector.fromArray(S, x, o + c).sub(mean[r]).mul(rstd[r]);
                dg = d.fma(xhat, dg);
                db = db.add(d);
            }
            if (dgamma != null) FloatVector.fromArray(S, dgamma, c).add(dg).intoArray(dgamma, c);
            if (dbeta != null) FloatVector.fromArray(S, dbeta, c).add(db).intoArray(dbeta, c);
        }
        if (upper < c1) Kernels.super.layerNormParamGrads(x, dy, dim, r0, r1, mean, rstd, dgamma, dbeta, upper, c1);
    }

    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> MASK_BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(LONGS.length() * 8));
    private static final long[] LONG_LANES = java.util.stream.LongStream.range(0, LONGS.length()).toArray();

    /** {@link Rng}'s mix on LONGS.length() counters at once (64-bit multiplies: AVX-512 DQ). */
    @Override
    public void dropoutMask(long key, float p, byte[] keep, int from, int to) {
        int n = LONGS.length(), i = from;
        long threshold = Rng.threshold(p);
        LongVector lanes = LongVector.fromArray(LONGS, LONG_LANES, 0);
        ByteVector one = ByteVector.broadcast(MASK_BYTES, (byte) 1), zero = ByteVector.zero(MASK_BYTES);
        for (; i + n <= to; i += n) {
            LongVector z = lanes.add(i).mul(Rng.STEP).add(key);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xbf58476d1ce4e5b9L);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94d049bb133111ebL);
            z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
            VectorMask<Long> kept = z.lanewise(VectorOperators.LSHR, 40).compare(VectorOperators.GE, threshold);
            zero.blend(one, kept.cast(MASK_BYTES)).intoArray(keep, i);
        }
        if (i < to) Kernels.super.dropoutMask(key, p, keep, i, to);
    }

    /** One keep flag per float lane. */
    private static final VectorSpecies<Byte> FLAG_BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));

    @Override
    public void dropoutApply(byte[] keep, int ko, float scale, float[] x, int xo, int len) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (; i + L <= len; i += L) {
            VectorMask<Float> kept = ByteVector.fromArray(FLAG_BYTES, keep, ko + i).compare(VectorOperators.NE, 0).cast(S);
            zero.blend(FloatVector.fromArray(S, x, xo + i).mul(scale), kept).intoArray(x, xo + i);
        }
        if (i < len) Kernels.super.dropoutApply(keep, ko + i, scale, x, xo + i, len - i);
    }

    /**
     * {@link #transposeBlock}'s four steps (h = 8, 4, 2, 1): rows r and r + h (r & h == 0) trade their
     * h-wide groups of lanes, so that after the four the 16 x 16 block is transposed. Row r keeps its
     * lanes where {@code l & h == 0} and takes row r + h's lane l - h elsewhere ({@code DOWN}, blended by
     * {@code UPPER}); row r + h takes row r's lane l + h ({@code UP}) where {@code l & h == 0}. One lane
     * permutation and one blend per row and step (JDK 21's API has no single two-vector permutation).
     */
    private static final VectorMask<Float>[] TRANSPOSE_UPPER = newMasks(4);
    private static final VectorShuffle<Float>[] TRANSPOSE_UP = newShuffles(4), TRANSPOSE_DOWN = newShuffles(4);

    static {
        if (L == 16) {
            for (int step = 0, h = 8; h >= 1; h >>= 1, step++) {
                boolean[] upper = new boolean[L];
                int[] up = new int[L], down = new int[L];
                for (int l = 0; l < L; l++) {
                    upper[l] = (l & h) != 0;
                    up[l] = (l + h) & (L - 1);
                    down[l] = (l - h) & (L - 1);
                }
                TRANSPOSE_UPPER[step] = VectorMask.fromArray(S, upper, 0);
                TRANSPOSE_UP[step] = VectorShuffle.fromArray(S, up, 0);
                TRANSPOSE_DOWN[step] = VectorShuffle.fromArray(S, down, 0);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] newMasks(int n) {
        return (VectorMask<Float>[]) new VectorMask[n];
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] newShuffles(int n) {
        return (VectorShuffle<Float>[]) new VectorShuffle[n];
    }

    @Override
    public void transpose(float[] src, int so, int lds, int rows, int cols, float[] dst, int dOff, int ldd) {
        if (L != 16) {
            Kernels.super.transpose(src, so, lds, rows, cols, dst, dOff, ldd);
            return;
        }
        int fullRows = rows / 16 * 16, fullCols = cols / 16 * 16;
        // a block of 16 rows at a time, read as 16 sequential streams; each block writes whole lines of dst
        for (int r0 = 0; r0 < fullRows; r0 += 16) {
            for (int c0 = 0; c0 < fullCols; c0 += 16) transposeBlock(src, so + r0 * lds + c0, lds, dst, dOff + c0 * ldd + r0, ldd);
        }
        // the edges: rows past the last full block of 16, then columns past it
        if (fullRows < rows) Kernels.super.transpose(src, so + fullRows * lds, lds, rows - fullRows, fullCols, dst, dOff + fullRows, ldd);
        if (fullCols < cols) Kernels.super.transpose(src, so + fullCols, lds, rows, cols - fullCols, dst, dOff + fullCols * ldd, ldd);
    }

    /**
     * One 16 x 16 block of {@link #transpose}: 16 row loads, 64 lane permutations and blends, 16 stores.
     * Unrolled by hand, like {@link #kernel}: the 16 vectors must stay local variables (in an array, or
     * passed to a helper per pair, C2 would box them).
     */
    private static void transposeBlock(float[] src, int so, int lds, float[] dst, int dOff, int ldd) {
        FloatVector v0 = FloatVector.fromArray(S, src, so + 0 * lds), v1 = FloatVector.fromArray(S, src, so + 1 * lds), v2 = FloatVector.fromArray(S, src, so + 2 * lds), v3 = FloatVector.fromArray(S, src, so + 3 * lds),
                v4 = FloatVector.fromArray(S, src, so + 4 * lds), v5 = FloatVector.fromArray(S, src, so + 5 * lds), v6 = FloatVector.fromArray(S, src, so + 6 * lds), v7 = FloatVector.fromArray(S, src, so + 7 * lds),
                v8 = FloatVector.fromArray(S, src, so + 8 * lds), v9 = FloatVector.fromArray(S, src, so + 9 * lds), v10 = FloatVector.fromArray(S, src, so + 10 * lds), v11 = FloatVector.fromArray(S, src, so + 11 * lds),
                v12 = FloatVector.fromArray(S, src, so + 12 * lds), v13 = FloatVector.fromArray(S, src, so + 13 * lds), v14 = FloatVector.fromArray(S, src, so + 14 * lds), v15 = FloatVector.fromArray(S, src, so + 15 * lds);
        VectorMask<Float> upper;
        VectorShuffle<Float> up, down;
        FloatVector t;
        upper = TRANSPOSE_UPPER[0]; up = TRANSPOSE_UP[0]; down = TRANSPOSE_DOWN[0];
        t = v0.blend(v8.rearrange(down), upper); v8 = v0.rearrange(up).blend(v8, upper); v0 = t;
        t = v1.blend(v9.rearrange(down), upper); v9 = v1.rearrange(up).blend(v9, upper); v1 = t;
        t = v2.blend(v10.rearrange(down), upper); v10 = v2.rearrange(up).blend(v10, upper); v2 = t;
        t = v3.blend(v11.rearrange(down), upper); v11 = v3.rearrange(up).blend(v11, upper); v3 = t;
        t = v4.blend(v12.rearrange(down), upper); v12 = v4.rearrange(up).blend(v12, upper); v4 = t;
        t = v5.blend(v13.rearrange(down), upper); v13 = v5.rearrange(up).blend(v13, upper); v5 = t;
        t = v6.blend(v14.rearrange(down), upper); v14 = v6.rearrange(up).blend(v14, upper); v6 = t;
        t = v7.blend(v15.rearrange(down), upper); v15 = v7.rearrange(up).blend(v15, upper); v7 = t;
        upper = TRANSPOSE_UPPER[1]; up = TRANSPOSE_UP[1]; down = TRANSPOSE_DOWN[1];
        t = v0.blend(v4.rearrange(down), upper); v4 = v0.rearrange(up).blend(v4, upper); v0 = t;
        t = v1.blend(v5.rearrange(down), upper); v5 = v1.rearrange(up).blend(v5, upper); v1 = t;
        t = v2.blend(v6.rearrange(down), upper); v6 = v2.rearrange(up).blend(v6, upper); v2 = t;
        t = v3.blend(v7.rearrange(down), upper); v7 = v3.rearrange(up).blend(v7, upper); v3 = t;
        t = v8.blend(v12.rearrange(down), upper); v12 = v8.rearrange(up).blend(v12, upper); v8 = t;
        t = v9.blend(v13.rearrange(down), upper); v13 = v9.rearrange(up).blend(v13, upper); v9 = t;
        t = v10.blend(v14.rearrange(down), upper); v14 = v10.rearrange(up).blend(v14, upper); v10 = t;
        t = v11.blend(v15.rearrange(down), upper); v15 = v11.rearrange(up).blend(v15, upper); v11 = t;
        upper = TRANSPOSE_UPPER[2]; up = TRANSPOSE_UP[2]; down = TRANSPOSE_DOWN[2];
        t = v0.blend(v2.rearrange(down), upper); v2 = v0.rearrange(up).blend(v2, upper); v0 = t;
        t = v1.blend(v3.rearrange(down), upper); v3 = v1.rearrange(up).blend(v3, upper); v1 = t;
        t = v4.blend(v6.rearrange(down), upper); v6 = v4.rearrange(up).blend(v6, upper); v4 = t;
        t = v5.blend(v7.rearrange(down), upper); v7 = v5.rearrange(up).blend(v7, upper); v5 = t;
        t = v8.blend(v10.rearrange(down), upper); v10 = v8.rearrange(up).blend(v10, upper); v8 = t;
        t = v9.blend(v11.rearrange(down), upper); v11 = v9.rearrange(up).blend(v11, upper); v9 = t;
        t = v12.blend(v14.rearrange(down), upper); v14 = v12.rearrange(up).blend(v14, upper); v12 = t;
        t = v13.blend(v15.rearrange(down), upper); v15 = v13.rearrange(up).blend(v15, upper); v13 = t;
        upper = TRANSPOSE_UPPER[3]; up = TRANSPOSE_UP[3]; down = TRANSPOSE_DOWN[3];
        t = v0.blend(v1.rearrange(down), upper); v1 = v0.rearrange(up).blend(v1, upper); v0 = t;
        t = v2.blend(v3.rearrange(down), upper); v3 = v2.rearrange(up).blend(v3, upper); v2 = t;
        t = v4.blend(v5.rearrange(down), upper); v5 = v4.rearrange(up).blend(v5, upper); v4 = t;
        t = v6.blend(v7.rearrange(down), upper); v7 = v6.rearrange(up).blend(v7, upper); v6 = t;
        t = v8.blend(v9.rearrange(down), upper); v9 = v8.rearrange(up).blend(v9, upper); v8 = t;
        t = v10.blend(v11.rearrange(down), upper); v11 = v10.rearrange(up).blend(v11, upper); v10 = t;
        t = v12.blend(v13.rearrange(down), upper); v13 = v12.rearrange(up).blend(v13, upper); v12 = t;
        t = v14.blend(v15.rearrange(down), upper); v15 = v14.rearrange(up).blend(v15, upper); v14 = t;
        v0.intoArray(dst, dOff + 0 * ldd); v1.intoArray(dst, dOff + 1 * ldd); v2.intoArray(dst, dOff + 2 * ldd); v3.intoArray(dst, dOff + 3 * ldd);
        v4.intoArray(dst, dOff + 4 * ldd); v5.intoArray(dst, dOff + 5 * ldd); v6.intoArray(dst, dOff + 6 * ldd); v7.intoArray(dst, dOff + 7 * ldd);
        v8.intoArray(dst, dOff + 8 * ldd); v9.intoArray(dst, dOff + 9 * ldd); v10.intoArray(dst, dOff + 10 * ldd); v11.intoArray(dst, dOff + 11 * ldd);
        v12.intoArray(dst, dOff + 12 * ldd); v13.intoArray(dst, dOff + 13 * ldd); v14.intoArray(dst, dOff + 14 * ldd); v15.intoArray(dst, dOff + 15 * ldd);
    }
}
