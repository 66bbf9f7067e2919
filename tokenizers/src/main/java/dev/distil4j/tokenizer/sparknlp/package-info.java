/**
 * Spark NLP's default text pipeline, reproduced exactly (version 5.5.3), for users who need the same
 * sentences, tokens and model inputs as Spark NLP gave them: {@link SparkNlpSentenceDetector} (the
 * default rule-based {@code SentenceDetector}), {@link SparkNlpTokenizer} (the default {@code Tokenizer})
 * and {@link SparkNlpWordPieces} (what its BERT-family embeddings feed the model for each token: the
 * word pieces of the token's first basic-tokenizer word). Offsets are UTF-16 indices with Spark NLP's
 * inclusive {@code end}.
 *
 * <p>These are compatibility components, written from Spark NLP's documented behaviour and checked
 * against its real output (../shared/fixtures/spark-nlp). They differ on purpose from the
 * transformers-exact tokenization the rest of distil4j does.
 */
package dev.distil4j.tokenizer.sparknlp;
