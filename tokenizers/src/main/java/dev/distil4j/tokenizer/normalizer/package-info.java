/** Normalizers (first pipeline stage): BERT's, lowercase, NFC/NFD/NFKC/NFKD, accent stripping, replace, sequences. */
package dev.distil4j.tokenizer.normalizer;
