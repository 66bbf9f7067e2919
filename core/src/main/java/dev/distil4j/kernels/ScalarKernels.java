package dev.distil4j.kernels;

/**
 * The reference kernels: plain loops, sums in double, activations from their definitions.
 * Slow but easy to check; the Vector API kernels are tested against these.
 */
final class ScalarKernels implements Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private ScalarKernels() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void linear(float[] x, int m, WeightMatrix w, float[] bias, float[] y, int n0, int n1) {
        int k = w.cols(), n = w.rows();
        float[] row = new float[k];
        for (int j = n0; j < n1; j++) {
            w.copyRows(j, 1, row);
            double b = bias == null ? 0 : bias[j];
            for (int i = 0; i < m; i++) {
                double s = 0;
                int xo = i * k;
                for (int c = 0; c < k; c++) s += (double) x[xo + c] * row[c];
                y[i * n + j] = (float) (s + b);
            }
        }
    }

    @Override
    public int panelWidth() {
        return 1;
    }

    @Override
    public void matmul(float[] a, int aOff, int lda, int m, PackedMatrix b, float[] bias, Activation act, float[] residual,
                       float[] c, int cOff, int ldc, int n0, int n1) {
        int k = b.cols();
        for (int i = 0; i < m; i++) {
            int ao = aOff + i * lda;
            for (int j = n0; j < n1; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += (double) a[ao + t] * b.get(j, t);
                float v = (float) (s + (bias == null ? 0 : bias[j]));
                if (act != null) v = apply(act, v);
                int o = cOff + i * ldc + j;
                c[o] = residual == null ? v : v + residual[o];
            }
        }
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int len) {
        double s = 0;
        for (int c = 0; c < len; c++) s += (double) a[ao + c] * b[bo + c];
        return (float) s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int len) {
        for (int c = 0; c < len; c++) y[yo + c] += alpha * x[xo + c];
    }

    @Override
    public void add(float[] x, float[] y, int len) {
        for (int c = 0; c < len; c++) y[c] += x[c];
    }

    @Override
    public void layerNorm(float[] x, float[] out, int dim, int r0, int r1, float[] gamma, float[] beta, float eps,
                          float[] means, float[] rstds) {
        for (int r = r0; r < r1; r++) {
            int o = r * dim;
            double mean = 0;
            for (int c = 0; c < dim; c++) mean += x[o + c];
            mean /= dim;
            double var = 0;
            for (int c = 0; c < dim; c++) {
                double d = x[o + c] - mean;
                var += d * d;
            }
            var /= dim;
            double inv = 1 / Math.sqrt(var + eps);
            if (means != null) {
                means[r] = (float) mean;
                rstds[r] = (float) inv;
            }
            for (int c = 0; c < dim; c++) {
                out[o + c] = (float) ((x[o + c] - mean) * inv * gamma[c] + beta[c]);
            }
        }
    }

    @Override
    public void softmax(float[] x, int off, int len) {
        float max = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < len; c++) max = Math.max(max, x[off + c]);
        double sum = 0;
        for (int c = 0; c < len; c++) {
            double e = Math.exp((double) x[off + c] - max);
            x[off + c] = (float) e;
            sum += e;
        }
        float inv = (float) (1 / sum);
        for (int c = 0; c < len; c++) x[off + c] *= inv;
    }

    @Override
    public void activation(Activation act, float[] x, int off, int len) {
        for (int c = off; c < off + len; c++) x[c] = apply(act, x[c]);
    }

    static float apply(Activation act, float v) {
        double x = v;
        return (float) switch (act) {
            case GELU -> 0.5 * x * (1 + Erf.erf(x * SQRT_HALF));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
            case RELU -> Math.max(x, 0);
            case SILU -> x / (1 + Math.exp(-x));
            case QUICK_GELU -> x / (1 + Math.exp(-1.702 * x));
            case TANH -> Math.tanh(x);
        };
    }

    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    /** {@code act'(x)} from the definitions, in double. */
    static double derivative(Activation act, float v) {
        double x = v;
        return switch (act) {
            case GELU -> 0.5 * (1 + Erf.erf(x * SQRT_HALF)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
            case GELU_TANH -> {
                double u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x), t = Math.tanh(u);
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
            }
            case RELU -> x > 0 ? 1 : 0;
            case SILU -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 + x * (1 - s));
            }
            case QUICK_GELU -> {
                double s = 1 / (1 + Math.exp(-1.702 * x));
                yield s * (1 + 1.702 * x * (1 - s));
            }
            case TANH -> {
                double t = Math.tanh(x);
                yield 1 - t * t;
            }
        };
    }
}
