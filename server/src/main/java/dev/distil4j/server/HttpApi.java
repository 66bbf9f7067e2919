package dev.distil4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The HTTP layer, on Jetty 12's core API: routing, the body-size limit, the API key, JSON errors,
 * metrics per route, health states, and graceful shutdown. Requests run on virtual threads, so a
 * handler may block on its batch. {@link Call#disconnected()} completes when Jetty sees the exchange
 * fail or the connection close, and handlers cancel their queued work with it. Jetty sees that at
 * once for HTTP/2; for HTTP/1.1 only when it next reads or writes (no server reads a connection while
 * its request is being handled), so the batcher's queue timeout is what bounds abandoned work there.
 */
public final class HttpApi implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Server lifecycle, as reported by /health and enforced on every route. */
    public enum State { LOADING, READY, DRAINING }

    /** One request, as handlers see it. */
    public record Call(String method, String path, String tail, byte[] body, CompletableFuture<Void> disconnected) {
        /** The body as a JSON object; a 400 naming the problem when it is not one. */
        public ObjectNode json() {
            JsonNode node;
            try {
                node = body.length == 0 ? null : JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest("request body is not valid JSON (line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr() + "): " + e.getOriginalMessage());
            } catch (IOException e) {
                throw ApiException.badRequest("cannot read request body: " + e.getMessage());
            }
            if (!(node instanceof ObjectNode obj)) throw ApiException.badRequest("request body must be a JSON object");
            return obj;
        }
    }

    /** A response. */
    public record Reply(int status, String contentType, byte[] body) {
        public static Reply json(JsonNode node) {
            try {
                return new Reply(200, "application/json", JSON.writeValueAsBytes(node));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        public static Reply text(String contentType, byte[] body) {
            return new Reply(200, contentType, body);
        }
    }

    @FunctionalInterface
    public interface Route {
        Reply handle(Call call) throws Exception;
    }

    private record Entry(String name, Route route, boolean open) {}

    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final Map<String, Entry> exact = new LinkedHashMap<>();
    private final Map<String, Entry> prefixes = new LinkedHashMap<>();
    private final Server server;
    private final ServerConnector connector;
    private final GracefulHandler graceful;
    private volatile State state = State.LOADING;

    public HttpApi(ServerOptions options, ServerMetrics metrics) {
        this.options = options;
        this.metrics = metrics;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("http");
        threads.setVirtualThreadsExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        server.addConnector(connector);
        graceful = new GracefulHandler(new Dispatch());
        server.setHandler(graceful);
        server.setStopTimeout(options.drainTimeout().toMillis());
    }

    /** Adds {@code method path}; {@code open} routes skip the API key (health checks). */
    public HttpApi route(String method, String path, String name, boolean open, Route route) {
        exact.put(method + " " + path, new Entry(name, route, open));
        return this;
    }

    public HttpApi route(String method, String path, String name, Route route) {
        return route(method, path, name, false, route);
    }

    /** Adds {@code method prefix...}: the rest of the path is the call's {@link Call#tail()} (a model id may hold '/'). */
    public HttpApi routePrefix(String method, String prefix, String name, Route route) {
        prefixes.put(method + " " + prefix, new Entry(name, route, false));
        return this;
    }

    public void start() throws Exception {
        server.start();
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public State state() {
        return state;
    }

    public void state(State s) {
        state = s;
    }

    /** Stops accepting connections; in-flight requests finish (up to the drain timeout). */
    @Override
    public void close() throws Exception {
        state = State.DRAINING;
        server.stop();
    }

    private final class Dispatch extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            long start = System.nanoTime();
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            String routeName = "unknown";
            Reply reply;
            try {
                Entry entry = exact.get(method + " " + path);
                String tail = "";
                if (entry == null) {
                    for (var e : prefixes.entrySet()) {
                        String key = method + " " + path;
                        if (key.startsWith(e.getKey()) && key.length() > e.getKey().length()) {
                            entry = e.getValue();
                            tail = key.substring(e.getKey().length());
                            break;
                        }
                    }
                }
                if (entry == null) throw ApiException.notFound("no route " + method + " " + path);
                routeName = entry.name;
                if (!entry.open) {
                    checkKey(request);
                    if (state == State.LOADING) throw ApiException.unhealthy("the model is loading");
                    if (state == State.DRAINING) throw ApiException.unhealthy("the server is shutting down");
                }
                byte[] body = readBody(request);
                CompletableFuture<Void> gone = new CompletableFuture<>();
                request.addFailureListener(t -> gone.complete(null));
                request.getConnectionMetaData().getConnection().addEventListener(new org.eclipse.jetty.io.Connection.Listener() {
                    @Override
                    public void onClosed(org.eclipse.jetty.io.Connection c) {
                        gone.complete(null);
                    }
                });
                reply = entry.route.handle(new Call(method, path, tail, body, gone));
            } catch (ApiException e) {
                reply = error(e, response);
            } catch (IllegalArgumentException e) {
                reply = error(ApiException.validation(e.getMessage()), response);
            } catch (Exception e) {
                reply = error(ApiException.backend(e.getClass().getSimpleName() + ": " + e.getMessage()), response);
            }
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
            metrics.request(routeName, reply.status(), System.nanoTime() - start);
            return true;
        }
    }

    private Reply error(ApiException e, Response response) {
        metrics.error(e.status(), e.errorType());
        if (e.retryAfterSeconds() > 0) response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        ObjectNode body = JSON.createObjectNode().put("error", e.getMessage()).put("error_type", e.errorType());
        try {
            return new Reply(e.status(), "application/json", JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private void checkKey(Request request) {
        if (options.apiKey() == null) return;
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
        // constant-time: the comparison must not reveal how much of the key was right
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), options.apiKey().getBytes(StandardCharsets.UTF_8))) {
            throw ApiException.unauthorized();
        }
    }

    private byte[] readBody(Request request) throws IOException {
        long limit = options.maxBodyBytes();
        long declared = request.getLength();
        if (declared > limit) throw ApiException.payloadTooLarge(limit);
        try (InputStream in = Content.Source.asInputStream(request)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > limit) throw ApiException.payloadTooLarge(limit);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** Waits up to {@code timeout} for in-flight requests, then stops. */
    public void stop(Duration timeout) throws Exception {
        server.setStopTimeout(timeout.toMillis());
        close();
    }
}
