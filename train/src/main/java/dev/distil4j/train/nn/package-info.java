/**
 * The trainable blocks, one class per block with its backward beside its forward (as llm.c
 * pairs {@code layer_forward} / {@code layer_backward}): each forward keeps what its backward needs
 * and the backward frees it. Names follow Hugging Face's parameter names. No general autograd:
 * the graph is fixed.
 */
package dev.distil4j.train.nn;
