/**
 * Checkpoint formats: named tensors read from safetensors files (memory-mapped, validated),
 * sharded sets, PyTorch {@code pytorch_model.bin} (through a restricted unpickler that never runs
 * code), Google BERT TensorFlow 1 bundles (LevelDB table index + data shards, CRC-checked), and a
 * safetensors writer. Knows nothing about models beyond {@link dev.distil4j.weights.Parameters},
 * which resolves Hugging Face key prefixes.
 */
package dev.distil4j.weights;
