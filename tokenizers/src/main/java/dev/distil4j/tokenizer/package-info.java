/**
 * Hugging Face tokenizers for the BERT family in pure Java: {@link dev.distil4j.tokenizer.Tokenizer}
 * loads {@code tokenizer.json} or the legacy vocabulary files and encodes text to ids, offsets,
 * masks and overflowing windows ({@link dev.distil4j.tokenizer.Encoding}), exactly as Hugging Face
 * does. No dependency on the model code. See {@code docs/tokenizers.md}.
 */
package dev.distil4j.tokenizer;
