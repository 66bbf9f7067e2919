package dev.distil4j.model;

import dev.distil4j.kernels.Activation;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.WeightMatrix;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.Parameters;

/**
 * {@code torch.nn.Linear}: {@code y = x W^T + b}, W as stored ([out, in]). The product runs on a
 * packed copy of W ({@link PackedWeights}); an activation and a residual can ride along in the
 * same pass over the output.
 */
final class Linear {
    final WeightMatrix weight;
    final float[] bias;
    final PackedWeights packed;

    Linear(WeightMatrix weight, float[] bias) {
        this.weight = weight;
        this.bias = bias;
        this.packed = new PackedWeights(weight);
    }

    /** Loads {@code name.weight} [out, in] and {@code name.bias} [out]. */
    static Linear load(Parameters p, String name, int out, int in) {
        FloatTensor w = p.tensor(name + ".weight", out, in);
        return new Linear(new WeightMatrix(w.data(), out, in), p.vector(name + ".bias", out));
    }

    int out() {
        return weight.rows();
    }

    /** x is [rows, in]; returns [rows, out]. */
    float[] forward(Compute c, float[] x, int rows) {
        return forward(c, x, rows, null, null);
    }

    /** {@code act(x W^T + b) + residual}; {@code act} and {@code residual} ([rows, out]) may be null. */
    float[] forward(Compute c, float[] x, int rows, Activation act, float[] residual) {
        return forward(c, x, rows, act, residual, new float[rows * out()]);
    }

    /** The same into {@code y} ([rows, out], every value overwritten); returns {@code y}. */
    float[] forward(Compute c, float[] x, int rows, Activation act, float[] residual, float[] y) {
        c.linear(x, rows, packed.get(c), bias, act, residual, y);
        return y;
    }
}
