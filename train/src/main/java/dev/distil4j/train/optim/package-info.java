/**
 * The optimizer side of a step, with PyTorch's semantics: AdamW, the linear warmup/decay schedule,
 * clipping by global norm, and optimizer state that saves and restores exactly.
 */
package dev.distil4j.train.optim;
