package dev.distil4j.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The Vector API kernels against the scalar reference on random inputs, odd sizes included: 1e-5 relative. */
class KernelEquivalenceTest {
    static final Kernels REF = Kernels.scalar();
    static final Kernels VEC = KernelSelection.choose("vector");
    static final long SEED = 20261121L;

    @Test
    void vectorImplementationIsTheBest() {
        assertTrue(VEC.name().startsWith("vector-"), VEC.name());
        assertEquals(VEC.getClass(), Kernels.best().getClass());
    }

    static float[] random(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    /** |a - b| <= 1e-5 * bound, where bound is the magnitude the rounding error scales with. */
    static void close(String what, float expected, float actual, double bound) {
        if (!(Math.abs((double) expected - actual) <= 1e-5 * bound)) {
            fail(what + ": expected " + expected + ", got " + actual + " (bound " + bound + ", seed " + SEED + ")");
        }
    }

    @Test
    void linearOnOddShapes() {
        SplittableRandom r = new SplittableRandom(SEED);
        int[] ms = {1, 2, 3, 4, 5, 7, 9, 17};
        int[] ks = {1, 3, 15, 16, 17, 32, 37, 64, 100, 768};
        int[] ns = {1, 2, 3, 4, 5, 31, 33, 40, 67};
        int cases = 0;
        for (int m : ms) {
            for (int k : ks) {
                for (int n : ns) {
                    float[] x = random(r, m * k, 1), w = random(r, n * k, 1 / Math.sqrt(k));
                    float[] bias = r.nextBoolean() ? random(r, n, 1) : null;
                    WeightMatrix wm = new WeightMatrix(FloatBuffer.wrap(w), n, k);
                    float[] yRef = new float[m * n], yVec = new float[m * n];
                    REF.linear(x, m, wm, bias, yRef, 0, n);
                    // split the columns unevenly, as Compute does across threads
                    int cut = Math.min(n, 1 + r.nextInt(n));
                    VEC.linear(x, m, wm, bias, yVec, 0, cut);
                    VEC.linear(x, m, wm, bias, yVec, cut, n);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double bound = bias == null ? 0 : Math.abs(bias[j]);
                            for (int c = 0; c < k; c++) bound += Math.abs(x[i * k + c] * w[j * k + c]);
                            close("linear m=" + m + " k=" + k + " n=" + n + " [" + i + "," + j + "]",
                                    yRef[i * n + j], yVec[i * n + j], Math.max(bound, 1e-3));
                        }
                    }
                    cases++;
                }
            }
        }
        assertEquals(ms.length * ks.length * ns.length, cases);
    }

    @Test
    void linearWritesOnlyItsColumns() {
        SplittableRandom r = new SplittableRandom(SEED);
        int m = 5, k = 20, n = 9;
        float[] x = random(r, m * k, 1), w = random(r, n * k, 1);
        float[] y = new float[m * n];
        Arrays.fill(y, 42f);
        VEC.linear(x, m, new WeightMatrix(FloatBuffer.wrap(w), n, k), null, y, 3, 6);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                if (j < 3 || j >= 6) assertEquals(42f, y[i * n + j]);
            }
        }
    }

    /** The fused, packed matmul: odd shapes, strided operands, bias/activation/residual, split column ranges. */
    @Test
    void matmulOnOddShapes() {
        SplittableRandom r = new SplittableRandom(SEED + 10);
        int[] ms = {1, 2, 5, 6, 7, 13, 17};
        int[] ks = {1, 3, 16, 17, 37, 64, 100, 769, 1600};
        int[] ns = {1, 2, 15, 16, 17, 37, 63, 64, 65, 130};
        Activation[] acts = {null, Activation.GELU, Activation.TANH, Activation.RELU};
        int cases = 0;
        for (int m : ms) {
            for (int k : ks) {
                for (int n : ns) {
                    int lda = k + r.nextInt(3), ldc = n + r.nextInt(3), aOff = r.nextInt(4), cOff = r.nextInt(4);
                    float[] a = random(r, aOff + m * lda, 1), w = random(r, n * k, 1 / Math.sqrt(k));
                    float[] bias = r.nextBoolean() ? random(r, n, 1) : null;
                    Activation act = acts[r.nextInt(acts.length)];
                    float[] residual = act == null && r.nextBoolean() ? random(r, cOff + m * ldc, 1) : null;
                    WeightMatrix wm = new WeightMatrix(FloatBuffer.wrap(w), n, k);
                    int format = r.nextInt(4); // 0, 1: float32, 2: int8, 3: bfloat16
                    boolean int8 = format == 2;
                    WeightFormat wf = format == 2 ? WeightFormat.INT8 : format == 3 ? WeightFormat.BF16 : WeightFormat.FLOAT32;
                    PackedMatrix pr = REF.pack(wf, null, wm);
                    PackedMatrix pv = VEC.pack(wf, null, wm);
                    if (format < 2) assertEquals(w[(n - 1) * k + k - 1], pv.get(n - 1, k - 1));
                    float[] yRef = new float[cOff + m * ldc], yVec = yRef.clone();
                    REF.matmul(a, aOff, lda, m, pr, bias, act, residual, yRef, cOff, ldc, 0, n);
                    int panel = VEC.panelWidth(), cut = Math.min(n, r.nextInt(n / panel + 1) * panel);
                    VEC.matmul(a, aOff, lda, m, pv, bias, act, residual, yVec, cOff, ldc, 0, cut);
                    VEC.matmul(a, aOff, lda, m, pv, bias, act, residual, yVec, cOff, ldc, cut, n);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            int o = cOff + i * ldc + j;
                            double bound = bias == null ? 0 : Math.abs(bias[j]);
                            for (int c = 0; c < k; c++) bound += Math.abs(a[aOff + i * lda + c] * pr.get(j, c));
                            if (residual != null) bound += Math.abs(residual[o]);
                            close((int8 ? "int8 " : format == 3 ? "bf16 " : "") + "matmul m=" + m + " k=" + k + " n=" + n + " act=" + act + " [" + i + "," + j + "]",
                                    yRef[o], yVec[o], Math.max(bound, 1e-3));
                        }
                        for (int j = n; j < ldc && cOff + i * ldc + j < yVec.length; j++) {
                            assertEquals(0f, yVec[cOff + i * ldc + j], "writes past column n");
                        }
                    }
                    cases++;
                }
            }
        }
        assertEquals(ms.length * ks.length * ns.length, cases);
    }

    @Test
    void int8Packing() {
        SplittableRandom r = new SplittableRandom(SEED + 15);
        int n = 70, k = 33;
        float[] w = random(r, n * k, 1);
        w[5] = 0; // an all-zero row must not divide by zero
        for (int c = 0; c < k; c++) w[3 * k + c] = 0;
        for (Kernels kn : new Kernels[] {REF, VEC}) {
            PackedMatrix q = kn.pack(WeightFormat.INT8, null, new WeightMatrix(FloatBuffer.wrap(w), n, k));
            assertTrue(q.isQuantized());
            for (int j = 0; j < n; j++) {
                float max = 0;
                for (int c = 0; c < k; c++) max = Math.max(max, Math.abs(w[j * k + c]));
                for (int c = 0; c < k; c++) {
                    assertTrue(Math.abs(q.get(j, c) - w[j * k + c]) <= max / 127 / 2 * 1.0001 + 1e-7,
                            "int8 error at " + j + "," + c + ": " + q.get(j, c) + " vs " + w[j * k + c]);
                }
            }
        }
    }

    @Test
    void bf16Packing() {
        SplittableRandom r = new SplittableRandom(SEED + 16);
        float[] w = random(r, 40 * 17, 3);
        w[0] = 1.00390625f;   // exactly between two bfloat16 values: rounds to even (1.0)
        w[1] = 1.01171875f;   // between 1.0078125 and 1.015625: rounds to even (1.015625)
        for (Kernels kn : new Kernels[] {REF, VEC}) {
            PackedMatrix h = kn.pack(WeightFormat.BF16, null, new WeightMatrix(FloatBuffer.wrap(w), 40, 17));
            assertTrue(h.isBf16());
            assertEquals(1.0f, h.get(0, 0));
            assertEquals(1.015625f, h.get(0, 1));
            for (int j = 0; j < 40; j++) {
                for (int c = 0; c < 17; c++) {
                    float v = w[j * 17 + c];
                    assertTrue(Math.abs(h.get(j, c) - v) <= Math.abs(v) / 256, "bf16 error at " + j + "," + c);
                }
            }
        }
    }

    @Test
    void packingHelpers() {
        SplittableRandom r = new SplittableRandom(SEED + 11);
        for (Kernels kn : new Kernels[] {REF, VEC}) {
            int panel = kn.panelWidth();
            for (int n : new int[] {1, 7, 16, 17, 33, 64, 70, 130}) {
                for (int k : new int[] {1, 8, 33, 64}) {
                    int ld = Math.max(n, k) + 3;
                    float[] src = random(r, 2 + ld * Math.max(n, k), 1);
                    float[] buf = new float[PackedMatrix.size(n, k, panel) + 5];
                    java.util.Arrays.fill(buf, Float.NaN); // padding must be overwritten
                    PackedMatrix rows = PackedMatrix.packRows(src, 2, ld, n, k, panel, buf);
                    for (int j = 0; j < n; j++) for (int c = 0; c < k; c++) assertEquals(src[2 + j * ld + c], rows.get(j, c));
                    for (int i = 0; i < PackedMatrix.size(n, k, panel); i++) assertTrue(!Float.isNaN(buf[i]), "padding at " + i);
                    float[] buf2 = new float[buf.length];
                    java.util.Arrays.fill(buf2, Float.NaN);
                    // the kernels' own (vector: gathers; at most one vector of rows in a panel that wide)
                    PackedMatrix own = kn.packRows(src, 2, ld, n, k, buf2);
                    int ownPanel = own.panel();
                    assertEquals(kn == VEC && n <= panel / 4 ? panel / 4 : panel, ownPanel, kn.name() + " packRows panel, n=" + n);
                    float[] expected = new float[PackedMatrix.size(n, k, ownPanel)];
                    PackedMatrix.packRows(src, 2, ld, n, k, ownPanel, expected);
                    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], buf2[i], kn.name() + " packRows at " + i);
                    java.util.Arrays.fill(buf, Float.NaN);
                    PackedMatrix cols = PackedMatrix.packColumns(src, 2, ld, n, k, panel, buf);
                    for (int j = 0; j < n; j++) for (int c = 0; c < k; c++) assertEquals(src[2 + c * ld + j], cols.get(j, c));
                    for (int i = 0; i < PackedMatrix.size(n, k, panel); i++) assertTrue(!Float.isNaN(buf[i]), "padding at " + i);
                }
            }
        }
    }

    @Test
    void stackedPacking() {
        SplittableRandom r = new SplittableRandom(SEED + 12);
        float[] w1 = random(r, 5 * 9, 1), w2 = random(r, 70 * 9, 1);
        PackedMatrix p = VEC.pack(WeightFormat.FLOAT32, null, new WeightMatrix(FloatBuffer.wrap(w1), 5, 9), new WeightMatrix(FloatBuffer.wrap(w2), 70, 9));
        assertEquals(75, p.rows());
        for (int j = 0; j < 75; j++) {
            for (int c = 0; c < 9; c++) assertEquals(j < 5 ? w1[j * 9 + c] : w2[(j - 5) * 9 + c], p.get(j, c));
        }
    }

    @Test
    void scaledMaskedExpAndScale() {
        SplittableRandom r = new SplittableRandom(SEED + 17);
        for (int len : new int[] {1, 3, 16, 17, 128, 129}) {
            float[] x = random(r, len + 2, 8);
            int[] mask = new int[len];
            for (int j = 0; j < len; j++) mask[j] = j % 4 == 2 ? 0 : 1;
            float[] a = x.clone(), b = x.clone();
            float sa = REF.scaledMaskedExp(a, 1, len, 8f, mask), sb = VEC.scaledMaskedExp(b, 1, len, 8f, mask);
            close("scaledMaskedExp sum " + len, sa, sb, Math.abs(sa));
            for (int c = 0; c < x.length; c++) close("scaledMaskedExp " + len + " at " + c, a[c], b[c], Math.abs(a[c]) + 1e-7);
            for (int j = 0; j < len; j++) if (mask[j] == 0 && len > 1) assertEquals(0f, b[1 + j]);
            REF.scale(a, 1, len, 0.3f);
            VEC.scale(b, 1, len, 0.3f);
            for (int c = 0; c < x.length; c++) close("scale " + len + " at " + c, a[c], b[c], Math.abs(a[c]) + 1e-7);
        }
    }

    @Test
    void scaledMaskedSoftmax() {
        SplittableRandom r = new SplittableRandom(SEED + 13);
        for (int len : new int[] {1, 3, 16, 17, 128, 129}) {
            float[] x = random(r, len + 2, 8);
            int[] mask = new int[len];
            for (int j = 0; j < len; j++) mask[j] = j % 3 == 1 ? 0 : 1;
            for (int[] m : new int[][] {null, mask}) {
                float[] a = x.clone(), b = x.clone();
                REF.scaledMaskedSoftmax(a, 1, len, 8f, m);
                VEC.scaledMaskedSoftmax(b, 1, len, 8f, m);
                for (int c = 0; c < x.length; c++) close("scaledMaskedSoftmax " + len + " at " + c, a[c], b[c], Math.abs(a[c]) + 1e-7);
                if (m != null) for (int j = 0; j < len; j++) if (m[j] == 0 && len > 1) assertEquals(0f, b[1 + j]);
            }
        }
    }

    /** Attention through Compute with both kernels: odd sequence lengths, head sizes, padding. */
    @Test
    void attention() {
        SplittableRandom r = new SplittableRandom(SEED + 14);
        try (Compute ref = new Compute(REF, 1); Compute vec = new Compute(VEC, 2)) {
            for (int seq : new int[] {1, 5, 16, 33, 70, 150}) {
                for (int d : new int[] {8, 64}) {
                    int batch = 2, heads = 3, dim = heads * d, ld = 3 * dim;
                    float[] qkv = random(r, batch * seq * ld, 1);
                    int[][] mask = new int[batch][seq];
                    for (int b = 0; b < batch; b++) for (int j = 0; j < seq; j++) mask[b][j] = b == 1 && j > seq / 2 ? 0 : 1;
                    float[] c1 = new float[batch * seq * dim], c2 = c1.clone();
                    float[] p1 = new float[batch * heads * seq * seq], p2 = p1.clone();
                    ref.attention(qkv, 0, qkv, dim, qkv, 2 * dim, ld, batch, seq, heads, d, mask, (float) Math.sqrt(d), c1, p1);
                    vec.attention(qkv, 0, qkv, dim, qkv, 2 * dim, ld, batch, seq, heads, d, mask, (float) Math.sqrt(d), c2, p2);
                    for (int i = 0; i < p1.length; i++) close("attention probs seq=" + seq + " d=" + d + " at " + i, p1[i], p2[i], Math.abs(p1[i]) + 1e-6);
                    for (int i = 0; i < c1.length; i++) close("attention context seq=" + seq + " d=" + d + " at " + i, c1[i], c2[i], 1 + Math.abs(c1[i]));
                    // without probabilities the normalisation moves after the product with the values
                    float[] c3 = new float[c1.length];
                    vec.attention(qkv, 0, qkv, dim, qkv, 2 * dim, ld, batch, seq, heads, d, mask, (float) Math.sqrt(d), c3, null);
                    for (int i = 0; i < c1.length; i++) close("attention context, no probs, seq=" + seq + " d=" + d + " at " + i, c1[i], c3[i], 1 + Math.abs(c1[i]));
                    float[] c4 = new float[c1.length];
                    ref.attention(qkv, 0, qkv, dim, qkv, 2 * dim, ld, batch, seq, heads, d, mask, (float) Math.sqrt(d), c4, null);
                    for (int i = 0; i < c1.length; i++) close("scalar attention context, no probs, seq=" + seq + " at " + i, c1[i], c4[i], 1 + Math.abs(c1[i]));
                }
            }
        }
    }

    @Test
    void dotAxpyAdd() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        for (int len : new int[] {0, 1, 5, 16, 17, 63, 64, 65, 1000}) {
            float[] a = random(r, len + 3, 1), b = random(r, len + 5, 1);
            double bound = 0;
            for (int c = 0; c < len; c++) bound += Math.abs(a[3 + c] * b[5 + c]);
            close("dot " + len, REF.dot(a, 3, b, 5, len), VEC.dot(a, 3, b, 5, len), Math.max(bound, 1e-6));

            float[] y1 = random(r, len + 2, 1), y2 = y1.clone();
            REF.axpy(0.37f, a, 3, y1, 2, len);
            VEC.axpy(0.37f, a, 3, y2, 2, len);
            for (int c = 0; c < y1.length; c++) close("axpy " + len, y1[c], y2[c], 1 + Math.abs(y1[c]));

            float[] s1 = random(r, len, 1), s2 = s1.clone(), add = random(r, len, 1);
            REF.add(add, s1, len);
            VEC.add(add, s2, len);
            for (int c = 0; c < len; c++) assertEquals(s1[c], s2[c], 0f, "add is exact");
        }
    }

    @Test
    void layerNorm() {
        SplittableRandom r = new SplittableRandom(SEED + 2);
        for (int dim : new int[] {1, 7, 16, 32, 37, 384, 768, 1001}) {
            int rows = 5;
            float[] x = random(r, rows * dim, 3), gamma = random(r, dim, 1), beta = random(r, dim, 1);
            for (int i = 0; i < x.length; i++) x[i] += 2; // a mean far from zero
            float[] o1 = new float[x.length], o2 = new float[x.length];
            REF.layerNorm(x, o1, dim, 1, rows, gamma, beta, 1e-12f);
            VEC.layerNorm(x, o2, dim, 1, rows, gamma, beta, 1e-12f);
            for (int c = 0; c < dim; c++) assertEquals(0f, o2[c], "row 0 is outside the range");
            for (int c = dim; c < x.length; c++) {
                close("layerNorm dim=" + dim + " at " + c, o1[c], o2[c], 1 + Math.abs(gamma[c % dim]) * 4 + Math.abs(beta[c % dim]));
            }
        }
    }

    @Test
    void softmax() {
        SplittableRandom r = new SplittableRandom(SEED + 3);
        for (int len : new int[] {1, 2, 15, 16, 17, 128, 513}) {
            float[] x = random(r, len + 4, 5);
            x[2 + len / 2] = -Float.MAX_VALUE; // a masked key
            float[] a = x.clone(), b = x.clone();
            REF.softmax(a, 2, len);
            VEC.softmax(b, 2, len);
            double sum = 0;
            for (int c = 0; c < x.length; c++) {
                close("softmax " + len + " at " + c, a[c], b[c], Math.abs(a[c]) + 1e-7);
                if (c >= 2 && c < 2 + len) sum += b[c];
            }
            assertEquals(1.0, sum, 1e-5);
            if (len > 1) assertEquals(0f, b[2 + len / 2], "a masked key gets exactly zero weight");
            assertEquals(x[0], b[0]);
            assertEquals(x[len + 3], b[len + 3]);
        }
    }

    @Test
    void softmaxOfFullyMaskedRowIsUniform() {
        float[] x = new float[20];
        Arrays.fill(x, -Float.MAX_VALUE);
        VEC.softmax(x, 0, 20);
        for (float v : x) assertEquals(0.05f, v, 1e-7f);
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activations(Activation act) {
        SplittableRandom r = new SplittableRandom(SEED + 4 + act.ordinal());
        int len = 4099;
        float[] x = random(r, len, 4);
        x[0] = 0f;
        x[1] = -12f;
        x[2] = 12f;
        x[3] = -0.5f;
        float[] a = x.clone(), b = x.clone();
        REF.activation(act, a, 1, len - 2);
        VEC.activation(act, b, 1, len - 2);
        assertEquals(x[0], b[0]);
        assertEquals(x[len - 1], b[len - 1]);
        for (int c = 1; c < len - 1; c++) {
            // relative to the value, and to the input scale where tanh-based forms cancel near -1
            double bound = Math.abs(a[c]) + (act == Activation.GELU_TANH ? 1e-2 * Math.abs(x[c]) : 1e-6);
            close(act + "(" + x[c] + ")", a[c], b[c], bound);
        }
    }

    @Test
    void geluMatchesKnownValues() {
        // x * Phi(x), from the normal CDF
        float[] x = {-3f, -1f, 0f, 0.5f, 1f, 3f};
        double[] expected = {-0.0040496985, -0.15865525, 0, 0.34573123, 0.84134475, 2.9959503};
        for (Kernels k : new Kernels[] {REF, VEC}) {
            float[] y = x.clone();
            k.activation(Activation.GELU, y, 0, y.length);
            for (int i = 0; i < x.length; i++) assertEquals(expected[i], y[i], 2e-7 * Math.max(1, Math.abs(expected[i])), k.name() + " gelu(" + x[i] + ")");
        }
    }

    /** The polynomial exp behind softmax and GELU: relative 1e-6 over the normal range, 0 below it. */
    @Test
    void vectorExp() {
        var species = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        float[] x = new float[species.length()], y = new float[x.length];
        for (double v = -87.2; v < 88.0; v += 0.0137 * x.length) {
            for (int i = 0; i < x.length; i++) x[i] = (float) Math.min(88.29, v + 0.0137 * i);
            VectorKernels.exp(jdk.incubator.vector.FloatVector.fromArray(species, x, 0)).intoArray(y, 0);
            for (int i = 0; i < x.length; i++) {
                double e = Math.exp(x[i]);
                assertTrue(Math.abs(y[i] - e) <= 1e-6 * e, "exp(" + x[i] + ") = " + y[i] + ", expected " + e);
            }
        }
        x[0] = -Float.MAX_VALUE;
        x[1] = -90f;
        x[2] = Float.NEGATIVE_INFINITY;
        VectorKernels.exp(jdk.incubator.vector.FloatVector.fromArray(species, x, 0)).intoArray(y, 0);
        assertEquals(0f, y[0]);
        assertEquals(0f, y[1]);
        assertEquals(0f, y[2]);
    }

    @Test
    void erfReference() {
        assertEquals(0.0, Erf.erf(0), 0);
        assertEquals(0.8427007929497149, Erf.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, Erf.erf(-2), 1e-15);
        assertEquals(0.9999779095030014, Erf.erf(3), 1e-15);
        assertEquals(0.9999999845827421, Erf.erf(4), 1e-15);
        assertEquals(1.0, Erf.erf(30), 0);
    }
}
