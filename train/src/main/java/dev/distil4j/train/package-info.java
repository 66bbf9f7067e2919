/**
 * Training on the JVM. Data flows one way: data -> batches -> forward -> loss -> backward ->
 * optimizer -> checkpoint. {@code nn} holds the trainable model ({@link dev.distil4j.train.nn.TrainableModel})
 * and its blocks, {@code loss} the losses, {@code optim} AdamW, the schedule and clipping,
 * {@code data} and {@code metrics} the fine-tuning inputs and scores, {@code distill} DistilBERT's
 * distillation. Kernels stay in core's {@code dev.distil4j.kernels}.
 */
package dev.distil4j.train;
