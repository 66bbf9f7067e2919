package dev.distil4j.spark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model repository served on 127.0.0.1 the way the Hugging Face hub answers distil4j's client
 * ({@code HF_ENDPOINT}): the revision API with the commit and file list, and {@code resolve} URLs with
 * {@code X-Repo-Commit} and a sha256 ETag. Counts requests, so a test can tell who downloaded what.
 */
final class StaticHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private final HttpServer server;
    private final String repo;
    private final Map<String, byte[]> files = new TreeMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    StaticHub(String repo, Path dir) throws IOException {
        this.repo = repo;
        try (var list = Files.list(dir)) {
            for (Path p : list.filter(Files::isRegularFile).toList()) files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many times {@code "METHOD /path"} was asked for. */
    int requests(String methodAndPath) {
        AtomicInteger n = requests.get(methodAndPath);
        return n == null ? 0 : n.get();
    }

    Map<String, AtomicInteger> requests() {
        return requests;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        requests.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
        try (ex) {
            if (path.equals("/api/models/" + repo + "/revision/main")) {
                StringBuilder json = new StringBuilder("{\"id\":\"" + repo + "\",\"sha\":\"" + COMMIT + "\",\"siblings\":[");
                String sep = "";
                for (String f : files.keySet()) {
                    json.append(sep).append("{\"rfilename\":\"").append(f).append("\"}");
                    sep = ",";
                }
                send(ex, method, 200, json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
                return;
            }
            String prefix = "/" + repo + "/resolve/" + COMMIT + "/";
            byte[] content = path.startsWith(prefix) ? files.get(path.substring(prefix.length())) : null;
            if (content == null) {
                ex.getResponseHeaders().set("X-Error-Code", path.startsWith(prefix) ? "EntryNotFound" : "RepoNotFound");
                ex.getResponseHeaders().set("X-Repo-Commit", COMMIT);
                send(ex, method, 404, new byte[0]);
                return;
            }
            ex.getResponseHeaders().set("X-Repo-Commit", COMMIT);
            ex.getResponseHeaders().set("ETag", "\"" + sha256(content) + "\"");
            send(ex, method, 200, content);
        }
    }

    private static void send(HttpExchange ex, String method, int status, byte[] body) throws IOException {
        if (method.equals("HEAD") || body.length == 0) {
            ex.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
