/**
 * Evaluation metrics as the reference scripts compute them: accuracy, F1, Matthews correlation,
 * Pearson/Spearman, seqeval's entity-level precision/recall/F1, and the SQuAD script's exact match and F1.
 */
package dev.distil4j.train.metrics;
