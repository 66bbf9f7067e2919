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
 * @param autoTruncate      truncate inputs longer than the model takes instead of answering 422
 * @param apiKey            required bearer token, or null for none
 * @param protectMetrics    /metrics needs the API key too (by default it is open, as TEI's)
 * @param drainTimeout      how long shutdown waits for queued and in-flight work
 */
public record ServerOptions(String host, int port, int maxBatchTokens, int maxBatchSize, int maxQueue, Duration maxWait,
                            int maxClientBatch, long maxBodyBytes, boolean autoTruncate, String apiKey,
                            boolean protectMetrics, Duration idleTimeout, Duration drainTimeout) {

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
        private boolean autoTruncate;
        private String apiKey;
        private boolean protectMetrics;
        private Duration idleTimeout = Duration.ofSeconds(60);
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
        public Builder autoTruncate(boolean v) { autoTruncate = v; return this; }
        /** Null or empty: no key required. */
        public Builder apiKey(String v) { apiKey = v == null || v.isEmpty() ? null : v; return this; }
        public Builder protectMetrics(boolean v) { protectMetrics = v; return this; }
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
        public Builder drainTimeout(Duration v) { drainTimeout = v; return this; }

        public ServerOptions build() {
            return new ServerOptions(host, port, maxBatchTokens, maxBatchSize, maxQueue, maxWait, maxClientBatch, maxBodyBytes,
                    autoTruncate, apiKey, protectMetrics, idleTimeout, drainTimeout);
        }
    }
}
