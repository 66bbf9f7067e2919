package dev.distil4j.train.nn;

import dev.distil4j.kernels.Activation;

/**
 * The position-wise feed-forward network: {@code lin2(act(lin1(x)))}, act GELU (erf) or ReLU.
 * Keeps lin1's output only: lin2's input {@code act(h)}, the largest activation of the layer, is
 * computed again in the backward (one activation pass instead of 4 x rows x FFN bytes kept).
 */
final class FeedForward {
    final Linear lin1;
    final Linear lin2;
    final Activation activation;
    private float[] hidden;  // lin1's output, the activation's input

    FeedForward(Linear lin1, Linear lin2, Activation activation) {
        this.lin1 = lin1;
        this.lin2 = lin2;
        this.activation = activation;
    }

    float[] forward(Ctx ctx, float[] x, int rows, boolean keep) {
        float[] h = lin1.forward(ctx, x, rows, keep);
        float[] a = ctx.copy(h);
        ctx.compute.activation(activation, a, a.length);
        this.hidden = keep ? h : null;
        float[] y = lin2.forward(ctx, a, rows, false);
        ctx.discard(a);
        return y;
    }

    float[] backward(Ctx ctx, float[] dy) {
        float[] h = hidden, act = ctx.copy(h);
        ctx.compute.activation(activation, act, act.length);
        float[] da = lin2.backward(ctx, dy, true, act);
        ctx.discard(act);
        ctx.compute.parallel(da.length, 8192, (a, b) -> ctx.kernels.activationBackward(activation, h, da, da, a, b - a));
        hidden = null;
        return lin1.backward(ctx, da, true);
    }
}
