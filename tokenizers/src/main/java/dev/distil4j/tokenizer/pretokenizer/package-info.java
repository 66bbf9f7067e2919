/** Pre-tokenizers (second stage): BERT's, byte-level (GPT-2 pattern), whitespace, punctuation, split, sequences. */
package dev.distil4j.tokenizer.pretokenizer;
