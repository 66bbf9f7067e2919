/**
 * DistilBERT's distillation procedure (Sanh et al.; Hugging Face's research project distiller.py):
 * token masking with frequency smoothing and the triple loss.
 *
 * <p>The data side, in pipeline order: {@link dev.distil4j.train.distill.CorpusBinarizer} (text lines to
 * {@code [CLS] ... [SEP]} ids, cached by {@link dev.distil4j.train.distill.CorpusCache}),
 * {@link dev.distil4j.train.distill.TokenCounts} (token_counts.py),
 * {@link dev.distil4j.train.distill.SequenceCleaner} (LmSeqsDataset's clean-up),
 * {@link dev.distil4j.train.distill.LengthGroupedBatchSampler} and
 * {@link dev.distil4j.train.distill.PaddedBatch} (grouped, padded batches),
 * {@link dev.distil4j.train.distill.TokenMasker} (prepare_batch_mlm) producing
 * {@link dev.distil4j.train.distill.MlmBatch}; {@link dev.distil4j.train.distill.DistillationBatches} chains
 * the last three for an epoch.
 */
package dev.distil4j.train.distill;
