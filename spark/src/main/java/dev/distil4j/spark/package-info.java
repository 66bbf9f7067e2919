/**
 * distil4j as Spark ML stages: {@link dev.distil4j.spark.WordEmbeddings} (Spark NLP's
 * {@code DistilBertEmbeddings} / {@code RoBertaEmbeddings} chain in one stage),
 * {@link dev.distil4j.spark.SentenceEmbeddings}, {@link dev.distil4j.spark.FillMask},
 * {@link dev.distil4j.spark.TextClassifier}, {@link dev.distil4j.spark.TokenClassifier} and
 * {@link dev.distil4j.spark.QuestionAnswerer}: {@code Transformer}s with Params, usable in a
 * {@code Pipeline} and saved and loaded with it, with the semantics of the Java pipelines in
 * {@link dev.distil4j.pipeline}.
 *
 * <p>Rows are processed in {@code mapPartitions}, in windows sorted by length and padded in batches;
 * each executor JVM loads a model once and shares it between its tasks (the package-private
 * {@code ModelCache}, the project's one deliberate piece of static state; it keeps as many models as
 * the JVM's tasks have held at once, so the stages of one pipeline do not evict each other). Models
 * reach the executors as archives shipped at submit ({@code sparkfiles:NAME}), Hadoop URIs copied once
 * per executor, paths every node can read, or hub ids (the package-private {@code ModelLocator}).
 * Spark is a provided dependency; {@code distil4j-spark-VERSION-shaded.jar} carries distil4j for
 * {@code spark-submit --jars}.
 */
package dev.distil4j.spark;
