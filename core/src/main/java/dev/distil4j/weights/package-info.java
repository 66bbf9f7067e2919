/**
 * Checkpoint formats: named tensors read from safetensors files (memory-mapped, validated),
 * sharded sets, and the other formats models are published in. Knows nothing about models
 * beyond {@link dev.distil4j.weights.Parameters}, which resolves Hugging Face key prefixes.
 */
package dev.distil4j.weights;
