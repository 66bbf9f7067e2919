/**
 * Text with alignments ({@link dev.distil4j.tokenizer.text.NormalizedString}), Unicode normalization
 * forms, and the character tables of the two reference implementations (Python 3.11's Unicode 14 and
 * the Rust library's measured tables) in {@link dev.distil4j.tokenizer.text.UnicodeTables}.
 */
package dev.distil4j.tokenizer.text;
