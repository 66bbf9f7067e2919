package dev.distil4j.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The server's Prometheus metrics, in their own registry (no global state). */
public final class ServerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final Counter requests = Counter.builder().name("distil4j_requests_total")
            .help("HTTP requests by route and status code").labelNames("route", "code").register(registry);
    private final Counter errors = Counter.builder().name("distil4j_errors_total")
            .help("Error responses by status code and error type").labelNames("code", "error_type").register(registry);
    private final Histogram latency = Histogram.builder().name("distil4j_request_duration_seconds")
            .help("Request latency by route").labelNames("route").classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
            .register(registry);
    private final Gauge queueDepth = Gauge.builder().name("distil4j_queue_depth")
            .help("Inputs waiting for a batch, by model").labelNames("model").register(registry);
    private final Histogram batchSize = Histogram.builder().name("distil4j_batch_size")
            .help("Inputs per batch, by model").labelNames("model").classicOnly()
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256).register(registry);
    private final Histogram batchTokens = Histogram.builder().name("distil4j_batch_tokens")
            .help("Tokens per batch, by model").labelNames("model").classicOnly()
            .classicUpperBounds(16, 64, 256, 1024, 4096, 16384, 65536).register(registry);
    private final Histogram batchSeconds = Histogram.builder().name("distil4j_batch_duration_seconds")
            .help("Time to run one batch, by model").labelNames("model").classicOnly()
            .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10).register(registry);
    private final Counter tokens = Counter.builder().name("distil4j_tokens_total")
            .help("Tokens processed, by model").labelNames("model").register(registry);

    public void request(String route, int code, long nanos) {
        requests.labelValues(route, Integer.toString(code)).inc();
        latency.labelValues(route).observe(nanos / 1e9);
    }

    public void error(int code, String errorType) {
        errors.labelValues(Integer.toString(code), errorType).inc();
    }

    /** A batch observer reporting for {@code model}. */
    public Batcher.Observer observer(String model) {
        return new Batcher.Observer() {
            @Override
            public void queueDepth(int depth) {
                queueDepth.labelValues(model).set(depth);
            }

            @Override
            public void batch(int items, int n, long nanos) {
                batchSize.labelValues(model).observe(items);
                batchTokens.labelValues(model).observe(n);
                batchSeconds.labelValues(model).observe(nanos / 1e9);
                tokens.labelValues(model).inc(n);
            }
        };
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
}
