package dev.distil4j.train.nn;

/**
 * {@code torch.nn.LayerNorm} over the last dimension: {@code y = xhat * weight + bias},
 * {@code xhat = (x - mean) / sqrt(var + eps)} (biased variance). The backward, with
 * {@code g = dy * weight}: {@code dx = rstd * (g - mean(g) - xhat * mean(g * xhat))},
 * {@code dweight += sum dy * xhat}, {@code dbias += sum dy}.
 */
final class LayerNorm {
    final Param weight;
    final Param bias;
    final float eps;
    private float[] xhat;
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

    /** Normalises {@code rows} rows of x into a new array; keeps xhat for the backward when {@code keep}. */
    float[] forward(Ctx ctx, float[] x, int rows, boolean keep) {
        int dim = dim();
        float[] y = ctx.floats(rows * dim), xh = keep ? ctx.floats(rows * dim) : null, rs = new float[rows];
        float[] g = weight.data(), b = bias.data();
        ctx.compute.parallel(rows, 8, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                double sum = 0;
                for (int c = 0; c < dim; c++) sum += x[o + c];
                float mean = (float) (sum / dim);
                double var = 0;
                for (int c = 0; c < dim; c++) {
                    float d = x[o + c] - mean;
                    var += d * d;
                }
                float s = (float) (1 / Math.sqrt(var / dim + eps));
                rs[r] = s;
                for (int c = 0; c < dim; c++) {
                    float h = (x[o + c] - mean) * s;
                    if (xh != null) xh[o + c] = h;
                    y[o + c] = h * g[c] + b[c];
                }
            }
        });
        this.xhat = xh;
        this.rstd = rs;
        this.rows = rows;
        return y;
    }

    /** dy [rows, dim] -> dx (a new array); accumulates the weight and bias gradients. */
    float[] backward(Ctx ctx, float[] dy) {
        if (xhat == null) throw new IllegalStateException("LayerNorm.backward without a training forward");
        int dim = dim();
        float[] dx = ctx.floats(rows * dim), g = weight.data(), xh = xhat, rs = rstd;
        ctx.compute.parallel(rows, 8, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * dim;
                double sumG = 0, sumGx = 0;
                for (int c = 0; c < dim; c++) {
                    float gc = dy[o + c] * g[c];
                    sumG += gc;
                    sumGx += gc * xh[o + c];
                }
                float meanG = (float) (sumG / dim), meanGx = (float) (sumGx / dim), s = rs[r];
                for (int c = 0; c < dim; c++) dx[o + c] = s * (dy[o + c] * g[c] - meanG - xh[o + c] * meanGx);
            }
        });
        float[] dw = weight.grad(), db = bias.grad();
        if (dw != null || db != null) {
            ctx.compute.parallel(dim, 64, (c0, c1) -> {
                for (int r = 0; r < rows; r++) {
                    int o = r * dim;
                    for (int c = c0; c < c1; c++) {
                        if (dw != null) dw[c] += dy[o + c] * xh[o + c];
                        if (db != null) db[c] += dy[o + c];
                    }
                }
            });
        }
        xhat = null;
        rstd = null;
        return dx;
    }
}
