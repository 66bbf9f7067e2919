/**
 * Training on the JVM: a model with its parameters, gradients and one fixed forward/backward graph
 * ({@link dev.distil4j.train.TrainableModel}); the parts live in sub-packages, and data flows
 * data -> batches -> forward -> loss -> backward -> optimizer -> checkpoint.
 */
package dev.distil4j.train;
