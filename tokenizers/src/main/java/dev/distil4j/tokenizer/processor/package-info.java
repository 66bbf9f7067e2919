/** Post-processors (fourth stage): special tokens, type ids, sequence ranges, byte-level offset trimming. */
package dev.distil4j.tokenizer.processor;
