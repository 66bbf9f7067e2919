package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.WeightMatrix;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.Parameters;

/** {@code torch.nn.Linear}: {@code y = x W^T + b}, W as stored ([out, in]), read in place. */
final class Linear {
    final WeightMatrix weight;
    final float[] bias;

    Linear(WeightMatrix weight, float[] bias) {
        this.weight = weight;
        this.bias = bias;
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
        float[] y = new float[rows * out()];
        c.linear(x, rows, weight, bias, y);
        return y;
    }
}
