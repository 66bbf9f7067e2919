/**
 * What users call: Hugging Face's {@code pipeline(...)} tasks (fill-mask, text classification,
 * token classification, question answering) and embeddings (Spark NLP style word vectors,
 * sentence-transformers sentence vectors), each a small class over a {@link dev.distil4j.pipeline.PipelineModel}
 * (tokenizer + encoder), returning immutable records. Each task renders its results in exactly the
 * JSON shapes the Hugging Face pipelines and Inference API return ({@code toHfJson}, and
 * {@code callHf} for a whole {@code inputs} + {@code parameters} call); {@link dev.distil4j.pipeline.HfJson}
 * holds what they share.
 *
 * <ul>
 *   <li>{@link dev.distil4j.pipeline.FillMask}, {@link dev.distil4j.pipeline.TextClassification}:
 *       transformers 4.28 behaviour, float32 scores;</li>
 *   <li>{@link dev.distil4j.pipeline.Embeddings}: token, word and sentence vectors;
 *       {@link dev.distil4j.pipeline.SentenceTransformerConfig} reads a sentence-transformers model's
 *       module files; {@link dev.distil4j.pipeline.SentenceSplitter} splits documents into sentences.</li>
 * </ul>
 *
 * <p>Batch methods pad several inputs into one forward pass, sorted by length to limit padding.
 * Every task object is immutable and thread-safe.
 */
package dev.distil4j.pipeline;
