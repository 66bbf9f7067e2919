package dev.distil4j.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The training products, attention backward and activation derivatives: vector against scalar, and against plain loops. */
class TrainingKernelsTest {

    static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    static void close(float[] got, float[] want, double tol) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("element %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol * (1 + Math.abs(want[i]))));
        }
    }

    /**
     * How far a float sum may be from the exact one: rounded at each of its terms, its error grows as the
     * partial sums do, about 2^-24 * sum|term| / sqrt 2 for random terms; 8x that (a missing or doubled
     * term would be ~|term|, far more).
     */
    static double floatSumBound(double sumOfAbs) {
        return Math.max(1e-6, 4 * Math.ulp(1f) * sumOfAbs);
    }

    @Test
    void gemmShapesAgainstLoops() {
        Random r = new Random(1);
        for (Kernels k : new Kernels[] {Kernels.scalar(), Kernels.best()}) {
            try (Compute c = new Compute(k, 2)) {
                Gemm g = new Gemm(c);
                for (int[] s : new int[][] {{1, 1, 1}, {7, 13, 70}, {33, 65, 129}, {130, 17, 5}, {800, 20, 70}, {1700, 9, 40},
                        {95, 800, 70}, {100, 30, 200}}) {  // 800, 1700: tnAdd over more than one and two blocks of rows; 800 deep: nt, nn over two depth blocks
                    int m = s[0], kk = s[1], n = s[2];
                    float[] a = random(r, m * kk), w = random(r, n * kk), bias = random(r, n), b = random(r, kk * n);
                    float[] nt = new float[m * n];
                    g.nt(a, m, kk, w, n, bias, nt);
                    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                        double sum = bias[j], abs = Math.abs(sum);
                        for (int t = 0; t < kk; t++) {
                            sum += (double) a[i * kk + t] * w[j * kk + t];
                            abs += Math.abs((double) a[i * kk + t] * w[j * kk + t]);
                        }
                        assertThat((double) nt[i * n + j]).as("nt %d x %d x %d at %d,%d", m, kk, n, i, j)
                                .isCloseTo(sum, org.assertj.core.data.Offset.offset(floatSumBound(abs)));
                    }
                    float[] nn = new float[m * n];
                    g.nn(a, m, kk, b, n, nn);
                    for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                        double sum = 0, abs = 0;
                        for (int t = 0; t < kk; t++) {
                            sum += (double) a[i * kk + t] * b[t * n + j];
                            abs += Math.abs((double) a[i * kk + t] * b[t * n + j]);
                        }
                        assertThat((double) nn[i * n + j]).as("nn %d x %d x %d at %d,%d", m, kk, n, i, j)
                                .isCloseTo(sum, org.assertj.core.data.Offset.offset(floatSumBound(abs)));
                    }
                    // out[kk, n] += a[m, kk]^T . b2[m, n]
                    float[] b2 = random(r, m * n), tn = random(r, kk * n), tnWant = tn.clone();
                    g.tnAdd(a, m, kk, b2, n, tn);
                    for (int i = 0; i < kk; i++) for (int j = 0; j < n; j++) {
                        double sum = tnWant[i * n + j], abs = Math.abs(sum);
                        for (int t = 0; t < m; t++) {
                            sum += (double) a[t * kk + i] * b2[t * n + j];
                            abs += Math.abs((double) a[t * kk + i] * b2[t * n + j]);
                        }
                        assertThat((double) tn[i * n + j]).as("tn %d x %d x %d at %d,%d", m, kk, n, i, j)
                                .isCloseTo(sum, org.assertj.core.data.Offset.offset(floatSumBound(abs)));
                    }
                    float[] sums = random(r, kk), sumsWant = sums.clone();
                    g.columnSumsAdd(a, m, kk, sums);
                    for (int j = 0; j < kk; j++) for (int i = 0; i < m; i++) sumsWant[j] += a[i * kk + j];
                    close(sums, sumsWant, 1e-5);
                }
            }
        }
    }

    @Test
    void attentionVectorEqualsScalar() {
        Random r = new Random(2);
        for (int[] s : new int[][] {{2, 5, 3, 4}, {1, 1, 1, 12}, {3, 70, 2, 8}}) {
            int batch = s[0], seq = s[1], heads = s[2], d = s[3], dim = heads * d, ld = 3 * dim;
            float[] qkv = random(r, batch * seq * ld), dc = random(r, batch * seq * dim);
            int[][] mask = new int[batch][seq];
            for (int b = 0; b < batch; b++) for (int i = 0; i < seq; i++) mask[b][i] = i == 0 || r.nextInt(4) > 0 ? 1 : 0;
            byte[] keep = new byte[batch * heads * seq * seq];
            for (int i = 0; i < keep.length; i++) keep[i] = (byte) (r.nextInt(10) > 0 ? 1 : 0);
            float[][] ctx = new float[2][], probs = new float[2][], grads = new float[2][];
            Kernels[] ks = {Kernels.scalar(), Kernels.best()};
            for (int v = 0; v < 2; v++) {
                try (Compute c = new Compute(ks[v], 2)) {
                    AttentionTraining a = new AttentionTraining(c);
                    probs[v] = new float[batch * heads * seq * seq];
                    ctx[v] = new float[batch * seq * dim];
                    a.forward(qkv, 0, dim, 2 * dim, ld, batch, seq, heads, d, mask, (float) Math.sqrt(d), probs[v], keep, 1 / 0.9f, ctx[v]);
                    grads[v] = new float[qkv.length];
                    a.backward(qkv, 0, dim, 2 * dim, ld, batch, seq, heads, d, (float) Math.sqrt(d), probs[v], keep, 1 / 0.9f, dc, grads[v]);
                }
            }
            close(probs[1], probs[0], 1e-5);
            close(ctx[1], ctx[0], 1e-5);
            close(grads[1], grads[0], 1e-5);
            // masked keys get exactly zero probability
            for (int b = 0; b < batch; b++) for (int i = 0; i < seq; i++) if (mask[b][i] == 0) {
                assertThat(probs[1][((b * heads) * seq) * seq + i]).isZero();
            }
        }
    }

    @Test
    void activationDerivativesVectorEqualsScalar() {
        Random r = new Random(3);
        float[] x = random(r, 1003), dy = random(r, 1003);
        for (int i = 0; i < 40; i++) x[i] = -12 + i * 0.6f; // tails and the kink
        x[50] = 0f;
        for (Activation act : Activation.values()) {
            float[] s = new float[x.length], v = new float[x.length];
            Kernels.scalar().activationBackward(act, x, dy, s, 0, x.length);
            Kernels.best().activationBackward(act, x, dy, v, 0, x.length);
            close(v, s, 2e-6);
            // the scalar reference against a finite difference of the forward
            for (int i = 0; i < x.length; i += 17) {
                if (act == Activation.RELU && Math.abs(x[i]) < 1e-2) continue;
                double e = 1e-3, up = ScalarKernels.apply(act, (float) (x[i] + e)), down = ScalarKernels.apply(act, (float) (x[i] - e));
                assertThat(s[i]).as("%s at %s", act, x[i]).isCloseTo((float) (dy[i] * (up - down) / (2 * e)),
                        org.assertj.core.data.Offset.offset(2e-3f * (1 + Math.abs(dy[i]))));
            }
        }
    }

    @Test
    void adamWVectorGivesTheScalarBits() {
        Random r = new Random(4);
        int n = 1037;
        float[] g = random(r, n), m0 = random(r, n), v0 = new float[n], w0 = random(r, n);
        for (int i = 0; i < n; i++) v0[i] = Math.abs((float) r.nextGaussian());
        float[][] w = {w0.clone(), w0.clone()}, m = {m0.clone(), m0.clone()}, v = {v0.clone(), v0.clone()};
        Kernels[] ks = {Kernels.scalar(), Kernels.best()};
        for (int k = 0; k < 2; k++) {
            for (float decay : new float[] {1f, 0.99999f}) ks[k].adamW(w[k], g, m[k], v[k], 0, n, decay, 0.9f, 0.999f, 1e-3f, 0.0316f, 1e-8f);
        }
        assertThat(w[1]).isEqualTo(w[0]);
        assertThat(m[1]).isEqualTo(m[0]);
        assertThat(v[1]).isEqualTo(v[0]);
        assertThat(w[0]).isNotEqualTo(w0);
    }

    @Test
    void layerNormTrainingVectorEqualsScalar() {
        Random r = new Random(5);
        for (int dim : new int[] {12, 64, 768, 37}) {
            int rows = 9;
            float[] x = random(r, rows * dim), dy = random(r, rows * dim), gamma = random(r, dim), beta = random(r, dim);
            float[][] y = new float[2][], dx = new float[2][], dg = new float[2][], db = new float[2][], mean = new float[2][], rstd = new float[2][];
            Kernels[] ks = {Kernels.scalar(), Kernels.best()};
            for (int k = 0; k < 2; k++) {
                y[k] = new float[rows * dim];
                mean[k] = new float[rows];
                rstd[k] = new float[rows];
                ks[k].layerNorm(x, y[k], dim, 0, rows, gamma, beta, 1e-12f, mean[k], rstd[k]);
                dx[k] = new float[rows * dim];
                ks[k].layerNormBackward(x, dy, dx[k], dim, 0, rows, gamma, mean[k], rstd[k]);
                dg[k] = new float[dim];
                db[k] = new float[dim];
                ks[k].layerNormParamGrads(x, dy, dim, 0, rows, mean[k], rstd[k], dg[k], db[k], 0, dim);
            }
            close(y[1], y[0], 1e-5);
            close(mean[1], mean[0], 1e-5);
            close(rstd[1], rstd[0], 1e-5);
            close(dx[1], dx[0], 1e-4);
            close(dg[1], dg[0], 1e-4);
            close(db[1], db[0], 1e-5);
            // the recorded statistics are the ones that produce y
            for (int c = 0; c < dim; c++) {
                assertThat((double) y[0][c]).isCloseTo((x[c] - mean[0][0]) * rstd[0][0] * gamma[c] + beta[c],
                        org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(y[0][c]))));
            }
        }
    }

    @Test
    void dropoutMaskVectorEqualsScalarAndItsDefinition() {
        for (float p : new float[] {0f, 0.1f, 0.5f, 0.999f}) {
            byte[] s = new byte[1003], v = new byte[1003];
            Kernels.scalar().dropoutMask(42, p, s, 3, 1000);
            Kernels.best().dropoutMask(42, p, v, 3, 1000);
            assertThat(v).isEqualTo(s);
            for (int i = 3; i < 1000; i++) assertThat(s[i] == 1).isEqualTo(Rng.uniform(42, i) >= p);
            assertThat(s[0]).isZero();
            assertThat(s[1001]).isZero();
        }
    }

    @Test
    void dropoutApplyVectorEqualsScalarAndItsDefinition() {
        Random r = new Random(5);
        byte[] keep = new byte[1003];
        Kernels.best().dropoutMask(7, 0.3f, keep, 0, keep.length);
        float[] x = random(r, 1003);
        x[10] = Float.NaN;   // dropped or kept, as the definition says
        x[11] = Float.POSITIVE_INFINITY;
        x[12] = -0f;
        float[] s = x.clone(), v = x.clone();
        Kernels.scalar().dropoutApply(keep, 3, 1f / 0.7f, s, 3, 997);
        Kernels.best().dropoutApply(keep, 3, 1f / 0.7f, v, 3, 997);
        assertThat(v).isEqualTo(s);
        for (int i = 0; i < 1003; i++) {
            float want = i < 3 || i >= 1000 ? x[i] : keep[i] != 0 ? x[i] * (1f / 0.7f) : 0f;
            assertThat(Float.floatToRawIntBits(v[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(want));
        }
    }

    @Test
    void transposeVectorEqualsScalarAndItsDefinition() {
        Random r = new Random(6);
        for (int[] shape : new int[][] {{1, 1}, {16, 16}, {17, 33}, {64, 768}, {40, 5}, {3, 50}}) {
            int rows = shape[0], cols = shape[1], lds = cols + 3, ldd = rows + 5;
            float[] src = random(r, 2 + rows * lds);
            float[] s = new float[1 + cols * ldd], v = new float[1 + cols * ldd];
            java.util.Arrays.fill(s, 42f);
            java.util.Arrays.fill(v, 42f);
            Kernels.scalar().transpose(src, 2, lds, rows, cols, s, 1, ldd);
            Kernels.best().transpose(src, 2, lds, rows, cols, v, 1, ldd);
            assertThat(v).as("%d x %d", rows, cols).isEqualTo(s);
            for (int i = 0; i < rows; i++) for (int c = 0; c < cols; c++) assertThat(s[1 + c * ldd + i]).isEqualTo(src[2 + i * lds + c]);
            for (int c = 0; c < cols; c++) for (int i = rows; i < ldd && 1 + c * ldd + i < s.length; i++) assertThat(s[1 + c * ldd + i]).isEqualTo(42f);
        }
    }
}
