package dev.distil4j.model;

import dev.distil4j.kernels.Activation;
import dev.distil4j.kernels.Compute;

/** The position-wise feed-forward network: {@code lin2(activation(lin1(x)))}. */
final class FeedForward {
    final Linear lin1;
    final Linear lin2;
    final Activation activation;

    FeedForward(Linear lin1, Linear lin2, Activation activation) {
        this.lin1 = lin1;
        this.lin2 = lin2;
        this.activation = activation;
    }

    /**
     * {@code out = lin2(activation(lin1(x))) + residual}: the activation and the residual are fused
     * into the products; {@code hidden} ([rows, hidden_dim]) holds the inner layer.
     */
    float[] forward(Compute c, float[] x, int rows, float[] residual, float[] hidden, float[] out) {
        lin1.forward(c, x, rows, activation, null, hidden);
        return lin2.forward(c, hidden, rows, null, residual, out);
    }
}
