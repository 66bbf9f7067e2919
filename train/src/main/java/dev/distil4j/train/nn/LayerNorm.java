package dev.distil4j.train.nn;

/**
 * {@code torch.nn.LayerNorm} over the last dimension: {@code y = xhat * weight + bias},
 * {@code xhat = (x - mean) / sqrt(var + eps)} (biased variance). The backward, with
 * {@code g = dy * weight}: {@code dx = rstd * (g - mean(g) - xhat * mean(g * xhat))},
 * {@code dweight += sum dy * xhat}, {@code dbias += sum dy}. The forward keeps its input (no copy:
 * nothing writes to it afterwards) and each row's mean and rstd; the backward recomputes xhat.
 */
final class LayerNorm {
    final Param weight;
    final Param bias;
    final float eps;
    private float[] x;
    private float[] mean;
    private float[] rstd;
    private int rows;

    LayerNorm(Param weight, Param bias, float eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    int dim() {
        return weight.size();
    }

    /** Normalises {@code rows} rows of x into a new array; keeps x for the backward when {@code keep}. */
    float[] forward(Ctx ctx, float[] x, int rows, boolean keep) {
        int dim = dim();
        float[] y = ctx.floats(rows * dim), m = new float[rows], rs = new float[rows];
        float[] g = weight.data(), b = bias.data();
        ctx.compute.parallel(rows, 8, (r0, r1) -> ctx.kernels.layerNorm(x, y, dim, r0, r1, g, b, eps, m, rs));
        this.x = keep ? x : null;
        this.mean = m;
        this.rstd = rs;
        this.rows = rows;
        return y;
    }

    /** dy [rows, dim] -> dx (a new array); accumulates the weight and bias gradients. */
    float[] backward(Ctx ctx, float[] dy) {
        if (x == null) throw new IllegalStateException("LayerNorm.backward without a training forward");
        int dim = dim();
        float[] dx = ctx.floats(rows * dim), g = weight.data(), in = x, m = mean, rs = rstd;
        ctx.compute.parallel(rows, 8, (r0, r1) -> ctx.kernels.layerNormBackward(in, dy, dx, dim, r0, r1, g, m, rs));
        float[] dw = weight.grad(), db = bias.grad();
        if (dw != null || db != null) {
            ctx.compute.parallel(dim, 64, (c0, c1) -> ctx.kernels.layerNormParamGrads(in, dy, dim, 0, rows, m, rs, dw, db, c0, c1));
        }
        x = null;
        mean = null;
        rstd = null;
        return dx;
    }
}
