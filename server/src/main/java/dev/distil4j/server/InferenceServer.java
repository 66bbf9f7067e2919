package dev.distil4j.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The distil4j HTTP server: loads the models, serves the routes, and shuts down gracefully.
 *
 * <pre>{@code
 * try (InferenceServer s = InferenceServer.start(Map.of("distilbert", dir), ServerOptions.defaults())) {
 *     s.awaitShutdown();
 * }
 * }</pre>
 *
 * Shutdown ({@link #close()}, run by the JVM on SIGTERM through {@link #shutdownOnSignal()}):
 * new requests get 503, queued and in-flight requests finish (up to the drain timeout), then the
 * listener closes.
 */
public final class InferenceServer implements AutoCloseable {
    private final ServerOptions options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final HttpApi api;
    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final Object stopped = new Object();
    private boolean closed;

    private InferenceServer(ServerOptions options) {
        this.options = options;
        this.api = new HttpApi(options, metrics);
    }

    /**
     * Starts listening at once (answering 503 while loading), then loads each model, in order.
     *
     * @param models served id -> model directory
     */
    public static InferenceServer start(Map<String, Path> models, ServerOptions options) throws Exception {
        if (models.isEmpty()) throw new IllegalArgumentException("no model to serve");
        InferenceServer s = new InferenceServer(options);
        ServerMetrics metrics = s.metrics;
        try {
            s.api.start();
            for (var e : models.entrySet()) s.models.put(e.getKey(), new ServedModel(e.getKey(), e.getValue(), options, metrics));
            new Routes(s.models, options, metrics, s.api).register();
            s.api.state(HttpApi.State.READY);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /** Inputs waiting in the queue of model {@code id}. */
    public int queued(String id) {
        ServedModel m = models.get(id);
        if (m == null) throw new IllegalArgumentException("no model " + id);
        return m.queued();
    }

    public int port() {
        return api.port();
    }

    public String url() {
        return "http://" + options.host() + ":" + port();
    }

    /** Closes the server when the JVM is asked to stop (SIGTERM, Ctrl-C), so the process exits 0 after draining. */
    public void shutdownOnSignal() {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("distil4j-shutdown").unstarted(() -> {
            close();
            // the JVM would report 143 for SIGTERM; a drained, orderly stop is a success
            Runtime.getRuntime().halt(0);
        }));
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitShutdown() throws InterruptedException {
        synchronized (stopped) {
            while (!closed) stopped.wait();
        }
    }

    @Override
    public void close() {
        synchronized (stopped) {
            if (closed) return;
        }
        api.state(HttpApi.State.DRAINING);
        Duration timeout = options.drainTimeout();
        for (ServedModel m : models.values()) {
            try {
                m.drain(timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            api.close();
        } catch (Exception e) {
            // stopping the listener failed: nothing left to serve anyway
        }
        models.values().forEach(ServedModel::close);
        synchronized (stopped) {
            closed = true;
            stopped.notifyAll();
        }
    }
}
