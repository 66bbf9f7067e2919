/** Runnable examples: the Spark NLP model card pipelines, written with distil4j's stages. */
package dev.distil4j.spark.examples;
