/**
 * Training and evaluation data: GLUE-style TSV/CSV, JSON Lines, CoNLL token files and SQuAD JSON,
 * read into examples with clear errors (file and line) for bad records.
 */
package dev.distil4j.train.data;
