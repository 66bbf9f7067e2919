package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.weights.Parameters;

/** {@code torch.nn.LayerNorm} over the last dimension. */
final class LayerNorm {
    final float[] weight;
    final float[] bias;
    final float eps;

    LayerNorm(float[] weight, float[] bias, float eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    static LayerNorm load(Parameters p, String name, int dim, float eps) {
        return new LayerNorm(p.vector(name + ".weight", dim), p.vector(name + ".bias", dim), eps);
    }

    /** Normalises each of {@code rows} rows of {@code x} in place. */
    void forward(Compute c, float[] x, int rows) {
        c.layerNorm(x, x, rows, weight.length, weight, bias, eps);
    }
}
