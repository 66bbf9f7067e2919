/**
 * The encoders and their heads, one class per block as in the papers and transformers:
 * {@code Embeddings} -> {@code TransformerBlock} x n ({@code MultiHeadSelfAttention},
 * {@code FeedForward}, two {@code LayerNorm}s) -> head. Field names follow Hugging Face's
 * parameter names. {@link dev.distil4j.model.Model} is the entry point.
 */
package dev.distil4j.model;
