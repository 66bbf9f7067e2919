/**
 * JMH benchmarks of the tokenizers: distil4j's pure-Java implementation against Hugging Face's Rust
 * tokenizers (through DJL) on the same tokenizer.json and corpus. Run with {@code scripts/bench-tokenizer}.
 */
package dev.distil4j.bench.tokenizer;
