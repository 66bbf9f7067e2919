/** Reading and writing tokenizer.json, reading the legacy vocabulary files and tokenizer_config.json. */
package dev.distil4j.tokenizer.io;
