/** Losses as transformers computes them, each returning its value and its gradient with respect to the logits. */
package dev.distil4j.train.loss;
