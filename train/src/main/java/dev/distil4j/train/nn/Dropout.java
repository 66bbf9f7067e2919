package dev.distil4j.train.nn;

import dev.distil4j.kernels.Rng;

/**
 * Inverted dropout ({@code torch.nn.Dropout}): in training each value is kept with probability
 * {@code 1 - p} and scaled by {@code 1 / (1 - p)}, else zeroed; in eval mode it is the identity.
 * The mask of element i is {@link Rng#uniform}(key(step seed, site id), i) >= p: a fixed site id
 * per dropout in the network, so the same seed gives the same masks.
 */
final class Dropout {
    final float p;
    private final long id;
    /** The last training forward's keep flags, for the backward; null after it or in eval. */
    private byte[] keep;

    Dropout(float p, long id) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), not " + p);
        this.p = p;
        this.id = id;
    }

    boolean active(Ctx ctx) {
        return ctx.training && p > 0;
    }

    /** Draws this site's mask for the current step into {@code keep} ({@code len} flags). */
    byte[] mask(Ctx ctx, int len) {
        byte[] k = ctx.bytes(len);
        long key = Rng.key(ctx.seed, id);
        float prob = p;
        ctx.compute.parallel(len, 16384, (a, b) -> ctx.kernels.dropoutMask(key, prob, k, a, b));
        return k;
    }

    /** In place over {@code x[0, len)}. */
    void forward(Ctx ctx, float[] x, int len) {
        keep = null;
        if (!active(ctx)) return;
        keep = mask(ctx, len);
        apply(ctx, keep, 1f / (1f - p), x, len);
    }

    /** In place over {@code dy[0, len)}: the gradient flows where the forward kept. */
    void backward(Ctx ctx, float[] dy, int len) {
        if (keep == null) return;
        apply(ctx, keep, 1f / (1f - p), dy, len);
        keep = null;
    }

    static void apply(Ctx ctx, byte[] keep, float scale, float[] x, int len) {
        ctx.compute.parallel(len, 16384, (a, b) -> ctx.kernels.dropoutApply(keep, a, scale, x, a, b - a));
    }
}
