package dev.distil4j.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * The HTTP layer, on Jetty 12's core API: routing, the body-size limit, the API key, JSON errors,
 * metrics per route, health states, and graceful shutdown. Every answer that is not a success is
 * JSON with TEI's {@code {"error", "error_type"}}, whether a route, the body checks or Jetty itself
 * (a malformed request line, oversized headers, a bad URI) refused it; no answer names the server's
 * version or a Java class, and a failure inside the server logs one line. Requests run on virtual threads, so a
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

    /**
     * One request, as handlers see it: the path decoded, the body decoded from its Content-Encoding.
     *
     * @param contentType the Content-Type header, or null
     */
    public record Call(String method, String path, String tail, String contentType, byte[] body,
                       CompletableFuture<Void> disconnected) {
        /**
         * The body as a JSON object: 415 for a Content-Type that is not JSON, 400 for a body that is not
         * UTF-8, not one JSON value (trailing content included), nested too deep, or not an object.
         */
        public ObjectNode json() {
            requireJsonType(contentType);
            String text = utf8(body);
            if (text.startsWith("\uFEFF")) text = text.substring(1); // a byte-order mark, which JSON parsers may ignore
            JsonNode node;
            try (JsonParser parser = JSON.getFactory().createParser(text)) {
                node = parser.nextToken() == null ? null : JSON.readTree(parser);
                if (node != null && hasMore(parser)) {
                    throw ApiException.badRequest("request body has more after its JSON value (" + where(parser.currentLocation()) + ")");
                }
            } catch (JsonProcessingException e) {
                throw ApiException.badRequest(jsonProblem(e));
            } catch (IOException e) {
                throw ApiException.badRequest("cannot read the request body as JSON");
            }
            if (!(node instanceof ObjectNode obj)) throw ApiException.badRequest("request body must be a JSON object");
            return obj;
        }
    }

    /** Whether anything but whitespace follows the value: another value, or characters that are none. */
    private static boolean hasMore(JsonParser parser) throws IOException {
        try {
            return parser.nextToken() != null;
        } catch (JsonProcessingException e) {
            return true;
        }
    }

    /** JSON, in UTF-8: no Content-Type at all (many clients send none), application/json, text/json or a +json type. */
    static void requireJsonType(String contentType) {
        if (contentType == null || contentType.isBlank()) return;
        String[] parts = contentType.split(";");
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json") && !type.equals("text/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw ApiException.unsupportedMediaType("expected a JSON body (Content-Type: application/json), got Content-Type: "
                    + printable(contentType));
        }
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("charset")) {
                String cs = kv[1].trim().replace("\"", "");
                if (!cs.equalsIgnoreCase("utf-8") && !cs.equalsIgnoreCase("utf8")) {
                    throw ApiException.unsupportedMediaType("JSON bodies must be UTF-8, not charset " + printable(cs));
                }
            }
        }
    }

    /** Strict UTF-8: malformed or overlong sequences are a 400, never read as other characters (an overlong '/'). */
    static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw ApiException.badRequest("request body is not valid UTF-8");
        }
    }

    /** What is wrong with a JSON body, in the parser's words but without its Java names. */
    static String jsonProblem(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            String m = String.valueOf(e.getOriginalMessage());
            return m.contains("nesting depth")
                    ? "request body is JSON nested more than " + StreamReadConstraints.defaults().getMaxNestingDepth() + " levels deep"
                    : "request body holds a JSON number, string or name longer than the parser allows";
        }
        String m = String.valueOf(e.getOriginalMessage())
                .replaceAll("\\[Source: [^;\\]]*;\\s*", "[")   // the parser's source description
                .replaceAll("`[A-Za-z.]*(Feature|Constraints)[A-Za-z.()]*`", "the parser's settings")
                .replaceAll("[\\r\\n]+", " ");
        return "request body is not valid JSON" + (e.getLocation() == null ? "" : " (" + where(e.getLocation()) + ")") + ": " + m;
    }

    private static String where(com.fasterxml.jackson.core.JsonLocation l) {
        return l == null ? "at its end" : "line " + l.getLineNr() + ", column " + l.getColumnNr();
    }

    /** Text from the request quoted in an error: no control characters, at most 200 characters. */
    static String clip(String s) {
        String t = s.replaceAll("\\p{Cntrl}", "?");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    /** A header value quoted in an error: printable ASCII, at most 100 characters. */
    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 100 ? t.substring(0, 100) + "..." : t;
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
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false); // no "Server: Jetty(...)"
        http.setSendXPoweredBy(false);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(options.idleTimeout().toMillis());
        server.addConnector(connector);
        graceful = new GracefulHandler(new Dispatch());
        server.setHandler(graceful);
        server.setErrorHandler(new JettyErrors());
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
            // decoded, so that a served name with a space (%20) is found; Jetty has refused bad UTF-8 and ambiguous paths
            String path = request.getHttpURI().getDecodedPath();
            String routeName = "unknown";
            ErrorShape errors = ErrorShape.TEI;
            Reply reply;
            boolean bodyRead = false;
            try {
                Found found = find(method, path);
                if (found == null) {
                    List<String> allowed = methodsFor(path);
                    if (allowed.isEmpty()) throw ApiException.notFound("no route " + method + " " + clip(path));
                    response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", allowed));
                    throw ApiException.methodNotAllowed(clip(path) + " takes " + String.join(", ", allowed) + ", not " + method);
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
                bodyRead = true;
                CompletableFuture<Void> gone = new CompletableFuture<>();
                // a request waiting for its batch does no I/O: idleness then is no failure (Jetty would report one,
                // and its queued work would be cancelled); the batcher's queue timeout bounds such waits
                request.addIdleTimeoutListener(t -> false);
                request.addFailureListener(t -> gone.complete(null));
                request.getConnectionMetaData().getConnection().addEventListener(new org.eclipse.jetty.io.Connection.Listener() {
                    @Override
                    public void onClosed(org.eclipse.jetty.io.Connection c) {
                        gone.complete(null);
                    }
                });
                reply = entry.route.handle(new Call(method, path, found.tail(), request.getHeaders().get(HttpHeader.CONTENT_TYPE), body, gone));
            } catch (ApiException e) {
                reply = error(e, errors, response);
            } catch (IllegalArgumentException e) {
                // the pipelines' argument checks are written for users
                reply = error(ApiException.validation(e.getMessage()), errors, response);
            } catch (dev.distil4j.tokenizer.TokenizerException e) {
                reply = error(ApiException.tokenizer(e.getMessage()), errors, response);
            } catch (Throwable t) {
                // anything else, Errors included (a stack overflow in a tokenizer): one log line, a JSON 500, the server lives on
                LOG.log(System.Logger.Level.ERROR, "request " + method + " " + printable(path) + " failed: " + oneLine(t));
                reply = error(ApiException.internal("inference failed inside the server; its log has the details"), errors, response);
            }
            if (!bodyRead && (request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING))) {
                // refused before (or while) reading its body: the rest is not read, so the connection cannot carry another request
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            response.setStatus(reply.status());
            if (reply.contentType() != null) response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
            metrics.request(routeName, reply.status(), System.nanoTime() - start);
            return true;
        }
    }

    /**
     * Jetty's own errors (a request line or header it cannot parse, a bad URI, a handler failure it
     * caught) as JSON with TEI's error types, instead of its HTML page.
     */
    private final class JettyErrors implements Request.Handler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus();
            Object cause = request.getAttribute(org.eclipse.jetty.server.handler.ErrorHandler.ERROR_EXCEPTION);
            String reason = null;
            if (cause instanceof HttpException h) {
                status = h.getCode();
                reason = h.getReason();
            } else if (cause instanceof Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "request failed in the HTTP layer: " + oneLine(t));
            }
            if (status < 400) status = 500;
            if (status >= 500 || reason == null || reason.isBlank()) reason = HttpStatus.getMessage(status);
            response.setStatus(status);
            ApiException e = ApiException.forStatus(status, printable(reason));
            metrics.request("unknown", status, 0);
            Reply reply = error(e, ErrorShape.TEI, response);
            if (HttpStatus.hasNoBody(status) || "HEAD".equals(request.getMethod())) {
                callback.succeeded();
                return true;
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
            response.write(true, ByteBuffer.wrap(reply.body()), callback);
            return true;
        }
    }

    /** A throwable on one line: each cause's class and message, and where the innermost was thrown. */
    static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder();
        Throwable innermost = t;
        for (Throwable c = t; c != null && sb.length() < 1000; c = c.getCause()) {
            if (c != t) sb.append(" <- ");
            sb.append(c.getClass().getName());
            if (c.getMessage() != null) sb.append(": ").append(c.getMessage());
            innermost = c;
        }
        StackTraceElement[] trace = innermost.getStackTrace();
        if (trace.length > 0) sb.append(" (at ").append(trace[0]).append(')');
        String s = sb.toString().replaceAll("[\\r\\n\\t]+", " ");
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
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

    /**
     * The body, at most {@code --max-body-bytes} both as sent and once decoded (gzip and deflate are
     * decoded, other Content-Encodings refused with 415). A body that stops arriving is a 408 after
     * the idle timeout; one that ends early or is badly framed (a bad chunk size) a 400.
     */
    private byte[] readBody(Request request) {
        long limit = options.maxBodyBytes();
        long declared = request.getLength();
        if (declared > limit) throw ApiException.payloadTooLarge(limit);
        String encoding = contentEncoding(request);
        byte[] raw;
        try (InputStream in = Content.Source.asInputStream(request)) {
            raw = readAtMost(in, limit);
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) throw a;
            throw bodyFailure(e);
        }
        if (encoding == null) return raw;
        try (InputStream in = encoding.equals("deflate") ? new InflaterInputStream(new java.io.ByteArrayInputStream(raw))
                : new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
            return readAtMost(in, limit);
        } catch (ZipException | EOFException e) {
            throw ApiException.badRequest("the request body is not valid " + encoding + " data");
        } catch (IOException e) {
            throw ApiException.badRequest("the " + encoding + " request body could not be decoded");
        }
    }

    /** The Content-Encoding to undo: null for none (or identity), "gzip" or "deflate"; 415 for anything else. */
    private static String contentEncoding(Request request) {
        List<String> codings = new ArrayList<>();
        for (String v : request.getHeaders().getValuesList(HttpHeader.CONTENT_ENCODING)) {
            for (String c : v.split(",")) {
                String t = c.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty() && !t.equals("identity")) codings.add(t);
            }
        }
        if (codings.isEmpty()) return null;
        if (codings.size() == 1) {
            switch (codings.get(0)) {
                case "gzip", "x-gzip" -> { return "gzip"; }
                case "deflate" -> { return "deflate"; }
                default -> { }
            }
        }
        throw ApiException.unsupportedMediaType("Content-Encoding " + printable(String.join(", ", codings))
                + " is not supported (gzip, deflate, or none)");
    }

    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + (long) n > limit) throw ApiException.payloadTooLarge(limit);
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** Why a body could not be read, as the client's error: it went silent (408), ended early or was badly framed (400). */
    private ApiException bodyFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof TimeoutException) {
                return ApiException.timeout("the request body did not arrive: nothing was received for "
                        + options.idleTimeout().toSeconds() + " s");
            }
            if (c instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) {
                return ApiException.forStatus(h.getCode() == 413 ? 413 : 400,
                        "the request body is malformed: " + printable(h.getReason() == null ? HttpStatus.getMessage(h.getCode()) : h.getReason()));
            }
        }
        return ApiException.badRequest("the request body ended before it was complete (shorter than its Content-Length, or cut off)");
    }

    /** Waits up to {@code timeout} for in-flight requests, then stops. */
    public void stop(Duration timeout) throws Exception {
        server.setStopTimeout(timeout.toMillis());
        close();
    }
}
