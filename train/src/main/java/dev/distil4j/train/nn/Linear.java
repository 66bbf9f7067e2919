package dev.distil4j.train.nn;

import dev.distil4j.kernels.PackedMatrix;


/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b}, W [out, in] as stored. Several Linears that read
 * the same input (q_lin, k_lin, v_lin) can run as one product with their weights stacked by rows:
 * the output is then their outputs side by side, [rows, out_1 + out_2 + ...], and the backward
 * splits the weight gradient back into each part's parameter.
 */
final class Linear {
    final Param[] weights;
    final Param[] biases;
    final int in;
    final int out;
    /** The weights stacked (only when several parts), refreshed whenever W is packed. */
    private float[] stacked;
    private float[] stackedBias;
    /** The forward's input, kept for dW. */
    private float[] x;
    private int rows;
    /** W packed for the forward and for dX, kept while the parameters do not change. */
    private final PackCache forwardPack = new PackCache(), backwardPack = new PackCache();

    Linear(Param weight, Param bias) {
        this(new Param[] {weight}, new Param[] {bias});
    }

    Linear(Param[] weights, Param[] biases) {
        this.weights = weights;
        this.biases = biases;
        this.in = weights[0].shape()[1];
        int o = 0;
        for (Param w : weights) {
            if (w.shape()[1] != in) throw new IllegalArgumentException("stacked Linears need one input size: " + w);
            o += w.shape()[0];
        }
        this.out = o;
    }

    private float[] weight() {
        if (weights.length == 1) return weights[0].data();
        if (stacked == null) {
            stacked = new float[out * in];
            stackedBias = new float[out];
        }
        int o = 0;
        for (int p = 0; p < weights.length; p++) {
            float[] w = weights[p].data(), b = biases[p].data();
            System.arraycopy(w, 0, stacked, o * in, w.length);
            System.arraycopy(b, 0, stackedBias, o, b.length);
            o += b.length;
        }
        return stacked;
    }

    private float[] bias() {
        return weights.length == 1 ? biases[0].data() : stackedBias;
    }

    /** x [rows, in] -> y [rows, out]; keeps x for the backward when {@code keep}. */
    float[] forward(Ctx ctx, float[] x, int rows, boolean keep) {
        float[] y = ctx.floats(rows * out);
        PackedMatrix w = forwardPack.get(PackCache.versions(weights, biases), own -> ctx.gemm.packForNt(weight(), out, in, own));
        ctx.gemm.nt(x, rows, w, bias(), y);
        this.x = keep ? x : null;
        this.rows = rows;
        return y;
    }

    /**
     * dy [rows, out]: accumulates dW += dy^T x and db += sum dy; returns dx = dy W [rows, in],
     * or null when {@code needDx} is false (the first layer's input needs none).
     */
    float[] backward(Ctx ctx, float[] dy, boolean needDx) {
        if (x == null) throw new IllegalStateException("Linear.backward without a training forward");
        return backward(ctx, dy, needDx, x);
    }

    /** The backward with the forward's input given again (recomputed by the caller instead of kept). */
    float[] backward(Ctx ctx, float[] dy, boolean needDx, float[] x) {
        float[] dx = null;
        if (needDx) {
            dx = ctx.floats(rows * in);
            // the stacked copy is as current as the forward's: the versions have not moved since
            float[] w = weights.length == 1 ? weights[0].data() : stacked;
            ctx.gemm.nn(dy, rows, backwardPack.get(PackCache.versions(weights, biases), own -> ctx.gemm.packForNn(w, out, in, own)), dx);
        }
        if (weights.length == 1) {
            if (weights[0].trainable()) ctx.gemm.tnAdd(dy, rows, out, x, in, weights[0].grad());
            if (biases[0].trainable()) ctx.gemm.columnSumsAdd(dy, rows, out, biases[0].grad());
        } else {
            float[] dw = ctx.zeros(out * in), db = new float[out];
            ctx.gemm.tnAdd(dy, rows, out, x, in, dw);
            ctx.gemm.columnSumsAdd(dy, rows, out, db);
            int o = 0;
            for (int p = 0; p < weights.length; p++) {
                int n = biases[p].size();
                addRange(dw, o * in, weights[p].grad(), n * in);
                addRange(db, o, biases[p].grad(), n);
                o += n;
            }
        }
        this.x = null;
        return dx;
    }

    private static void addRange(float[] src, int off, float[] dst, int len) {
        if (dst == null) return;
        for (int i = 0; i < len; i++) dst[i] += src[off + i];
    }
}
