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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
    private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());

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

    /** A response; a null content type sends no Content-Type header (an empty body). */
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

        /** 200 with an empty body, as TEI's /health answers. */
        public static Reply empty() {
            return new Reply(200, null, new byte[0]);
        }
    }

    @FunctionalInterface
    public interface Route {
        Reply handle(Call call) throws Exception;
    }

    /** Who may call a route. */
    public enum Access {
        /** needs the API key (when one is set) and answers 503 until the server is ready */
        KEY,
        /** no key, and the handler answers in every state (health checks, metrics) */
        OPEN
    }

    /** How errors are written. */
    public enum ErrorShape {
        /** TEI's {@code {"error": ..., "error_type": ...}} */
        TEI,
        /** OpenAI's {@code {"error": {"message", "type", "param", "code"}}}, which OpenAI clients read */
        OPENAI
    }

    private record Entry(String name, Route route, Access access, ErrorShape errors) {}

    private record Prefix(String method, String prefix, Entry entry) {}

    private final ServerOptions options;
    private final ServerMetrics metrics;
    private final Map<String, Map<String, Entry>> exact = new LinkedHashMap<>(); // path -> method -> entry
    private final List<Prefix> prefixes = new ArrayList<>();
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

    /** Adds {@code method path}. Register every route before {@link #start()}: the table is not thread-safe. */
    public HttpApi route(String method, String path, String name, Access access, ErrorShape errors, Route route) {
        exact.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, new Entry(name, route, access, errors));
        return this;
    }

    public HttpApi route(String method, String path, String name, Access access, Route route) {
        return route(method, path, name, access, ErrorShape.TEI, route);
    }

    public HttpApi route(String method, String path, String name, Route route) {
        return route(method, path, name, Access.KEY, ErrorShape.TEI, route);
    }

    /** Adds {@code method prefix...}: the rest of the path is the call's {@link Call#tail()} (a model id may hold '/'). */
    public HttpApi routePrefix(String method, String prefix, String name, Route route) {
        prefixes.add(new Prefix(method, prefix, new Entry(name, route, Access.KEY, ErrorShape.TEI)));
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

    private record Found(Entry entry, String tail) {}

    /** The entry for {@code method path} and the path's tail after a prefix; null when there is none. */
    private Found find(String method, String path) {
        Map<String, Entry> byMethod = exact.get(path);
        if (byMethod != null && byMethod.containsKey(method)) return new Found(byMethod.get(method), "");
        for (Prefix p : prefixes) {
            if (p.method.equals(method) && path.startsWith(p.prefix) && path.length() > p.prefix.length()) {
                return new Found(p.entry, path.substring(p.prefix.length()));
            }
        }
        return null;
    }

    /** The methods that {@code path} has routes for (empty: an unknown path). */
    private List<String> methodsFor(String path) {
        List<String> out = new ArrayList<>(exact.getOrDefault(path, Map.of()).keySet());
        for (Prefix p : prefixes) {
            if (path.startsWith(p.prefix) && path.length() > p.prefix.length() && !out.contains(p.method)) out.add(p.method);
        }
        return out;
    }

    private final class Dispatch extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            long start = System.nanoTime();
            String method = request.getMethod();
            String path = Request.getPathInContext(request);
            String routeName = "unknown";
            ErrorShape errors = ErrorShape.TEI;
            Reply reply;
            try {
                Found found = find(method, path);
                if (found == null) {
                    List<String> allowed = methodsFor(path);
                    if (allowed.isEmpty()) throw ApiException.notFound("no route " + method + " " + path);
                    response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", allowed));
                    throw ApiException.methodNotAllowed(path + " takes " + String.join(", ", allowed) + ", not " + method);
                }
                Entry entry = found.entry();
                routeName = entry.name;
                errors = entry.errors;
                if (entry.access == Access.KEY) {
                    checkKey(request);
                    // routes exist from the first moment the port is open: until the models are ready they answer 503
                    if (state == State.LOADING) throw ApiException.unhealthy("the models are loading");
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
                reply = entry.route.handle(new Call(method, path, found.tail(), body, gone));
            } catch (ApiException e) {
                reply = error(e, errors, response);
            } catch (IllegalArgumentException e) {
                // the pipelines' argument checks are written for users
                reply = error(ApiException.validation(e.getMessage()), errors, response);
            } catch (dev.distil4j.tokenizer.TokenizerException e) {
                reply = error(ApiException.tokenizer(e.getMessage()), errors, response);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.ERROR, "request " + method + " " + path + " failed", e);
                reply = error(ApiException.internal("inference failed inside the server; its log has the details"), errors, response);
            }
            response.setStatus(reply.status());
            if (reply.contentType() != null) response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
            metrics.request(routeName, reply.status(), System.nanoTime() - start);
            return true;
        }
    }

    private Reply error(ApiException e, ErrorShape shape, Response response) {
        metrics.error(e.status(), e.errorType());
        if (e.retryAfterSeconds() > 0) response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
        ObjectNode body = JSON.createObjectNode();
        if (shape == ErrorShape.OPENAI) {
            body.putObject("error").put("message", e.getMessage()).put("type", e.errorType()).putNull("param").put("code", e.status());
        } else {
            body.put("error", e.getMessage()).put("error_type", e.errorType());
        }
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
