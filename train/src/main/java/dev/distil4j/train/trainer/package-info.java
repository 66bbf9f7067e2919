/**
 * Fine-tuning as transformers' {@code Trainer} and example scripts do it: {@link dev.distil4j.train.trainer.Trainer}
 * reads a task's data ({@link dev.distil4j.train.trainer.Task}, {@link dev.distil4j.train.trainer.DataArguments}),
 * trains with {@link dev.distil4j.train.trainer.TrainingArguments} (transformers' names and defaults), evaluates,
 * checkpoints and resumes exactly, and writes a Hugging Face model directory;
 * {@link dev.distil4j.train.trainer.Evaluator} scores a fine-tuned model on any labelled file;
 * {@link dev.distil4j.train.trainer.TaskDistiller} is the Trainer with a teacher's soft labels (and, optionally,
 * its intermediate states) in the loss. The command line's {@code train}, {@code evaluate} and {@code distil --task}
 * only wrap these.
 */
package dev.distil4j.train.trainer;
