/** Decoders: WordPiece (Rust's and the slow tokenizer's) and byte-level. */
package dev.distil4j.tokenizer.decoder;
