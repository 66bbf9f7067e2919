/**
 * The inference benchmark ({@code ./distil4j bench}): distil4j's encoder against ONNX Runtime in the same
 * JVM on the same weights, alternating per cell ({@link dev.distil4j.bench.encoder.EncoderBench}), and the
 * smaller tools beside it: a forward loop for A/B tests of JVM options, a per-part profile of one layer,
 * a check of each precision (float32, bf16, int8) against the goldens of real weights, and the seeded
 * random DistilBERT-base the grid runs on when no weights are given. Results and how to read them: docs/performance.md.
 */
package dev.distil4j.bench.encoder;
