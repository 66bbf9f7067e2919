package dev.distil4j.server;

import java.time.Duration;

/**
 * How the server listens and what it accepts. Defaults follow text-embeddings-inference where it
 * has one (token budget 16384, 32 inputs per request, 2 MB bodies).
 *
 * @param host              address to bind; 127.0.0.1 unless the user asks otherwise
 * @param maxBatchTokens    token budget of one batch
 * @param maxBatchSize      most inputs in one batch
 * @param maxQueue          most inputs waiting per model; more get 429
 * @param maxWait           how long the first input of a batch waits for others
 * @param maxClientBatch    most inputs in one request (422 above)
 * @param maxBodyBytes      largest request body, after decoding any Content-Encoding (413 above)
 * @param maxRequestTokens  most tokens the model may run for one request (all its inputs and windows;
 *                          for OpenAI's large requests, per part fed to the batcher): 422 above, before queueing
 * @param maxRequestWindows most forward-pass sequences (inputs, or windows of long question-answering and
 *                          strided token-classification inputs) for one request: 422 above
 * @param maxPredictions    most fill-mask candidates (inputs x masks x top_k) or question-answering answers
 *                          (inputs x top_k) one request may ask for: 422 above
 * @param autoTruncate      truncate inputs longer than the model takes instead of answering 422
 * @param apiKey            required bearer token, or null for none
 * @param protectMetrics    /metrics needs the API key too (by default it is open, as TEI's)
 * @param idleTimeout       how long a connection may send nothing: idle keep-alive connections close, and a
 *                          request whose body stops arriving is answered 408
 * @param drainTimeout      how long shutdown waits for queued and in-flight work
 */
public record ServerOptions(String host, int port, int maxBatchTokens, int maxBatchSize, int maxQueue, Duration maxWait,
                            int maxClientBatch, long maxBodyBytes, int maxRequestTokens, int maxRequestWindows,
                            int maxPredictions, boolean autoTruncate, String apiKey,
                            boolean protectMetrics, Duration idleTimeout, Duration drainTimeout) {

    public ServerOptions {
        if (maxClientBatch < 1 || maxBodyBytes < 1 || maxRequestTokens < 1 || maxRequestWindows < 1 || maxPredictions < 1) {
            throw new IllegalArgumentException("request limits must be positive: client batch " + maxClientBatch + ", body "
                    + maxBodyBytes + ", tokens " + maxRequestTokens + ", windows " + maxRequestWindows + ", predictions " + maxPredictions);
        }
        if (!idleTimeout.isPositive()) throw new IllegalArgumentException("the idle timeout must be positive, got " + idleTimeout);
    }

    public static ServerOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Batcher.Limits batchLimits() {
        return new Batcher.Limits(maxBatchTokens, maxBatchSize, maxQueue, maxWait);
    }

    /** Starts from the defaults; set what differs. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private int maxBatchTokens = 16384;
        private int maxBatchSize = 64;
        private int maxQueue = 512;
        private Duration maxWait = Duration.ofMillis(5);
        private int maxClientBatch = 32;
        private long maxBodyBytes = 2_000_000;
        private int maxRequestTokens = 16384;
        private int maxRequestWindows = 64;
        private int maxPredictions = 1024;
        private boolean autoTruncate;
        private String apiKey;
        private boolean protectMetrics;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration drainTimeout = Duration.ofSeconds(30);

        private Builder() {}

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder maxBatchTokens(int v) { maxBatchTokens = v; return this; }
        public Builder maxBatchSize(int v) { maxBatchSize = v; return this; }
        public Builder maxQueue(int v) { maxQueue = v; return this; }
        public Builder maxWait(Duration v) { maxWait = v; return this; }
        public Builder maxClientBatch(int v) { maxClientBatch = v; return this; }
        public Builder maxBodyBytes(long v) { maxBodyBytes = v; return this; }
        public Builder maxRequestTokens(int v) { maxRequestTokens = v; return this; }
        public Builder maxRequestWindows(int v) { maxRequestWindows = v; return this; }
        public Builder maxPredictions(int v) { maxPredictions = v; return this; }
        public Builder autoTruncate(boolean v) { autoTruncate = v; return this; }
        /** Null or empty: no key required. */
        public Builder apiKey(String v) { apiKey = v == null || v.isEmpty() ? null : v; return this; }
        public Builder protectMetrics(boolean v) { protectMetrics = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }

        public ServerOptions build() {
            return new ServerOptions(host, port, maxBatchTokens, maxBatchSize, maxQueue, maxWait, maxClientBatch, maxBodyBytes,
                    maxRequestTokens, maxRequestWindows, maxPredictions, autoTruncate, apiKey, protectMetrics, idleTimeout, drainTimeout);
        }
    }
}
