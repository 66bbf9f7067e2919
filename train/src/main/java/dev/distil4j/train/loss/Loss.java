package dev.distil4j.train.loss;

/**
 * A loss value and its gradient with respect to the input it was computed from (the logits, or
 * the hidden states for the cosine loss), same layout as that input.
 */
public record Loss(float value, float[] grad) {}
