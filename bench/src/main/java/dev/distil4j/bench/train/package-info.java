/**
 * The training-speed benchmark ({@code ./distil4j bench-train}): fine-tuning steps of a sequence
 * classifier with distil4j's training engine against PyTorch ({@code shared/anchors/torch_train_step.py}
 * in a subprocess), alternating per cell. Reuses the encoder benchmark's statistics and idle wait.
 */
package dev.distil4j.bench.train;
