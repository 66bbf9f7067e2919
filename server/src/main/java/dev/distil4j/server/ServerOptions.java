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
 * @param drainTimeout      how long shutdown waits for queued and in-flight work
 */
public record ServerOptions(String host, int port, int maxBatchTokens, int maxBatchSize, int maxQueue, Duration maxWait,
                            int maxClientBatch, long maxBodyBytes, boolean autoTruncate, String apiKey,
                            Duration idleTimeout, Duration drainTimeout) {

    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, 16384, 64, 512, Duration.ofMillis(5), 32, 2_000_000, false, null,
                Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    public Batcher.Limits batchLimits() {
        return new Batcher.Limits(maxBatchTokens, maxBatchSize, maxQueue, maxWait);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, maxBatchTokens, maxBatchSize, maxQueue, maxWait, maxClientBatch, maxBodyBytes,
                autoTruncate, apiKey, idleTimeout, drainTimeout);
    }

    public ServerOptions withHost(String h) {
        return new ServerOptions(h, port, maxBatchTokens, maxBatchSize, maxQueue, maxWait, maxClientBatch, maxBodyBytes,
                autoTruncate, apiKey, idleTimeout, drainTimeout);
    }

    public ServerOptions withQueue(int q) {
        return new ServerOptions(host, port, maxBatchTokens, maxBatchSize, q, maxWait, maxClientBatch, maxBodyBytes,
                autoTruncate, apiKey, idleTimeout, drainTimeout);
    }

    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, maxBatchTokens, maxBatchSize, maxQueue, maxWait, maxClientBatch, maxBodyBytes,
                autoTruncate, key, idleTimeout, drainTimeout);
    }

    public ServerOptions withMaxBody(long bytes) {
        return new ServerOptions(host, port, maxBatchTokens, maxBatchSize, maxQueue, maxWait, maxClientBatch, bytes,
                autoTruncate, apiKey, idleTimeout, drainTimeout);
    }

    public ServerOptions withAutoTruncate(boolean t) {
        return new ServerOptions(host, port, maxBatchTokens, maxBatchSize, maxQueue, maxWait, maxClientBatch, maxBodyBytes,
                t, apiKey, idleTimeout, drainTimeout);
    }
}
