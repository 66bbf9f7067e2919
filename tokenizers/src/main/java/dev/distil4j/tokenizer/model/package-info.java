/** Models (third stage): WordPiece and byte-pair encoding, over an allocation-free vocabulary table. */
package dev.distil4j.tokenizer.model;
