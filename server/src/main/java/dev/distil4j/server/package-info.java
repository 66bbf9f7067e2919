/**
 * The HTTP server: Hugging Face's Inference API, text-embeddings-inference's and OpenAI's
 * embeddings routes over the pipelines, with dynamic batching ({@link dev.distil4j.server.Batcher}),
 * bounded queues, Prometheus metrics and graceful shutdown, on Jetty 12.
 */
package dev.distil4j.server;
