package dev.distil4j.train.nn;

import java.util.Arrays;

/**
 * A trainable tensor under its Hugging Face name ({@code distilbert.transformer.layer.0.attention.q_lin.weight}):
 * its values and the gradient the backward accumulates into. Mutable by nature: the optimizer
 * updates {@link #data()} in place (and says so, {@link #changed()}) and {@code TrainableModel.zeroGrad()} clears the
 * gradient between steps.
 * A frozen parameter (DistilBERT's sinusoidal positions) has no gradient.
 */
public final class Param {
    private final String name;
    private final int[] shape;
    private final float[] data;
    private final float[] grad;
    private final boolean weightDecay;
    /** Bumped by {@link #changed()}: packed copies of the values ({@code Linear}) are remade when it moves. */
    private int version;

    Param(String name, int[] shape, float[] data, boolean trainable, boolean weightDecay) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n != data.length) {
            throw new IllegalArgumentException(name + ": " + data.length + " values for shape " + Arrays.toString(shape));
        }
        this.name = name;
        this.shape = shape.clone();
        this.data = data;
        this.grad = trainable ? new float[data.length] : null;
        this.weightDecay = weightDecay;
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return data.length;
    }

    /** The values, shared: the optimizer writes them in place. */
    public float[] data() {
        return data;
    }

    /**
     * Says that {@link #data()} was written (the optimizer's step, weights loaded into an existing model, a
     * test's perturbation): layers that keep the values packed for the kernels pack them again.
     */
    public void changed() {
        version++;
    }

    /** How many times {@link #changed()} was called. */
    public int version() {
        return version;
    }

    /** The accumulated gradient, shared; null when frozen. */
    public float[] grad() {
        return grad;
    }

    public boolean trainable() {
        return grad != null;
    }

    /**
     * Whether AdamW decays it: as transformers' Trainer groups parameters, every weight except
     * biases and LayerNorm weights.
     */
    public boolean weightDecay() {
        return weightDecay;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
