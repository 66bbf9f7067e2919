package dev.distil4j.server;

import java.nio.file.Path;
import java.time.Duration;
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
 * The port opens before the models load ({@link #listen}, then {@link #load}): every route exists
 * from the start and answers 503 (health checks included) until every model is ready.
 *
 * <p>Shutdown ({@link #close()}, run by the JVM on SIGTERM through {@link #shutdownOnSignal()}):
 * new requests get 503, queued and in-flight requests finish (up to the drain timeout), then the
 * listener closes.
 */
public final class InferenceServer implements AutoCloseable {
    private final ServerOptions options;
    private final ServerMetrics metrics = new ServerMetrics();
    private final HttpApi api;
    private final ServedModels models = new ServedModels();
    private final Object stopped = new Object();
    private boolean closed;

    private InferenceServer(ServerOptions options) {
        this.options = options;
        this.api = new HttpApi(options, metrics);
        new Routes(models, options, metrics, api);
    }

    /**
     * Starts listening at once (answering 503 while loading), then loads each model, in order.
     *
     * @param models served id -> model directory
     */
    public static InferenceServer start(Map<String, Path> models, ServerOptions options) throws Exception {
        InferenceServer s = listen(options);
        try {
            s.load(models);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /** Opens the port with every route in place; they answer 503 until {@link #load} has finished. */
    public static InferenceServer listen(ServerOptions options) throws Exception {
        InferenceServer s = new InferenceServer(options);
        try {
            s.api.start();
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    /**
     * Loads each model, in order, then answers for them.
     *
     * @param served id -> model directory
     */
    public void load(Map<String, Path> served) {
        if (served.isEmpty()) throw new IllegalArgumentException("no model to serve");
        if (api.state() != HttpApi.State.LOADING) throw new IllegalStateException("the models are already loaded");
        for (var e : served.entrySet()) models.add(new ServedModel(e.getKey(), e.getValue(), options, metrics));
        api.state(HttpApi.State.READY);
    }

    /** Inputs waiting in the queue of model {@code id}. */
    public int queued(String id) {
        return models.get(id).queued();
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
        for (ServedModel m : models.all()) {
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
        models.all().forEach(ServedModel::close);
        synchronized (stopped) {
            closed = true;
            stopped.notifyAll();
        }
    }
}
