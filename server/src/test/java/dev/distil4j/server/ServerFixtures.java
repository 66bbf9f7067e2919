package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/** Shared helpers for the server tests: reference data, model directories, HTTP calls, JSON comparison. */
final class ServerFixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private ServerFixtures() {}

    static Path shared(String rel) {
        Path root = Path.of(System.getProperty("distil4j.shared", "../../shared"));
        Path p = root.resolve(rel);
        if (!Files.exists(p)) throw new IllegalStateException("reference data missing: " + p.toAbsolutePath());
        return p;
    }

    /**
     * A copy of a tiny model directory (links to its files) with the fast tokenizer.json that the
     * pipeline goldens were made with, as hub checkpoints ship it.
     */
    static Path withFastTokenizer(String model, Path tmp) throws IOException {
        Path src = shared("fixtures/models/" + model);
        Path dir = Files.createDirectories(tmp.resolve(model));
        try (var files = Files.list(src)) {
            for (Path f : (Iterable<Path>) files::iterator) Files.createSymbolicLink(dir.resolve(f.getFileName()), f.toAbsolutePath());
        }
        Files.createSymbolicLink(dir.resolve("tokenizer.json"), shared("fixtures/goldens/" + model + "/tokenizer.json").toAbsolutePath());
        return dir;
    }

    /**
     * Tiny models served under their names, in order: token classification and question answering
     * with the fast tokenizer their pipeline goldens were made with, the others as they are.
     */
    static java.util.Map<String, Path> tinyModels(Path tmp, String... names) throws IOException {
        java.util.Map<String, Path> out = new java.util.LinkedHashMap<>();
        for (String n : names) {
            out.put(n, n.equals("distilbert-tokcls") || n.equals("distilbert-qa") ? withFastTokenizer(n, tmp) : shared("fixtures/models/" + n));
        }
        return out;
    }

    static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Response(int status, JsonNode body, HttpResponse<String> raw) {}

    static Response post(HttpClient http, String url, String body) throws IOException, InterruptedException {
        return post(http, url, body, null);
    }

    /** POST with a bearer key (none when null). */
    static Response post(HttpClient http, String url, String body, String key) throws IOException, InterruptedException {
        return send(http, HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), key);
    }

    static Response get(HttpClient http, String url) throws IOException, InterruptedException {
        return get(http, url, null);
    }

    static Response get(HttpClient http, String url, String key) throws IOException, InterruptedException {
        return send(http, HttpRequest.newBuilder(URI.create(url)), key);
    }

    /** The body as JSON when it is JSON (null otherwise: /metrics is text, /health empty). */
    private static Response send(HttpClient http, HttpRequest.Builder request, String key) throws IOException, InterruptedException {
        if (key != null) request.header("Authorization", "Bearer " + key);
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode n;
        try {
            n = r.body().isEmpty() ? null : JSON.readTree(r.body());
        } catch (IOException e) {
            n = null;
        }
        return new Response(r.statusCode(), n, r);
    }

    static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).floatValue();
        return v;
    }

    static void assertClose(float[] expected, float[] actual, double tol) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, "vector length");
        for (int i = 0; i < expected.length; i++) org.junit.jupiter.api.Assertions.assertEquals(expected[i], actual[i], tol, "component " + i);
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s);
    }

    static float[] l2(float[] v) {
        double n = norm(v);
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) (v[i] / n);
        return o;
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) dot += (double) a[i] * b[i];
        return dot / (norm(a) * norm(b));
    }

    /** Structural equality: same nesting, keys, strings, integers; floats within {@code tol}. Null when equal, else where they differ. */
    static String diff(JsonNode expected, JsonNode actual, double tol, String path) {
        if (expected == null || actual == null) return expected == actual ? null : path + ": " + expected + " vs " + actual;
        if (expected.isNumber() && actual.isNumber()) {
            if (expected.isIntegralNumber() && actual.isIntegralNumber()) {
                return expected.asLong() == actual.asLong() ? null : path + ": " + expected + " vs " + actual;
            }
            return Math.abs(expected.asDouble() - actual.asDouble()) <= tol ? null : path + ": " + expected + " vs " + actual;
        }
        if (expected.getNodeType() != actual.getNodeType()) return path + ": " + expected.getNodeType() + " vs " + actual.getNodeType();
        if (expected.isArray()) {
            if (expected.size() != actual.size()) return path + ": " + expected.size() + " items vs " + actual.size();
            for (int i = 0; i < expected.size(); i++) {
                String d = diff(expected.get(i), actual.get(i), tol, path + "[" + i + "]");
                if (d != null) return d;
            }
            return null;
        }
        if (expected.isObject()) {
            if (expected.size() != actual.size()) return path + ": keys " + fieldNames(expected) + " vs " + fieldNames(actual);
            for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!actual.has(k)) return path + ": missing key " + k;
                String d = diff(expected.get(k), actual.get(k), tol, path + "." + k);
                if (d != null) return d;
            }
            return null;
        }
        return expected.equals(actual) ? null : path + ": " + expected + " vs " + actual;
    }

    private static String fieldNames(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        n.fieldNames().forEachRemaining(k -> sb.append(k).append(' '));
        return sb.toString().trim();
    }
}
