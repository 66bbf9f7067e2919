package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The reference data beside the project root ({@code ../shared}); tests fail, never skip, without it. */
final class Shared {
    private Shared() {}

    static Path root() {
        String prop = System.getProperty("distil4j.shared");
        Path p = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isRegularFile(p.resolve("README.md"))) p = Path.of("..", "..", "shared");
        if (!Files.isRegularFile(p.resolve("README.md"))) {
            throw new IllegalStateException("the reference data ../shared is missing (looked at " + p.toAbsolutePath()
                    + "); it must sit beside the project root");
        }
        return p.normalize();
    }

    static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) throw new IllegalStateException("missing reference file " + p.toAbsolutePath());
        return p;
    }

    static JsonNode json(String relative) {
        try {
            return HfJson.MAPPER.readTree(path(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Compares HF JSON structurally: same nesting and keys, equal strings and integers, floating
     * point numbers within {@code tol}. Returns every mismatch as "path: expected X, got Y".
     */
    static List<String> diff(JsonNode expected, JsonNode actual, double tol) {
        List<String> out = new ArrayList<>();
        diff("$", expected, actual, tol, out);
        return out;
    }

    private static void diff(String path, JsonNode e, JsonNode a, double tol, List<String> out) {
        if (a == null) {
            out.add(path + ": missing, expected " + e);
        } else if (e.isArray()) {
            if (!a.isArray()) {
                out.add(path + ": expected a list of " + e.size() + ", got " + brief(a));
            } else if (e.size() != a.size()) {
                out.add(path + ": expected " + e.size() + " items, got " + a.size() + ": " + brief(a));
            } else {
                for (int i = 0; i < e.size(); i++) diff(path + "[" + i + "]", e.get(i), a.get(i), tol, out);
            }
        } else if (e.isObject()) {
            if (!a.isObject()) {
                out.add(path + ": expected an object, got " + brief(a));
                return;
            }
            for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                diff(path + "." + k, e.get(k), a.get(k), tol, out);
            }
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!e.has(k)) out.add(path + "." + k + ": unexpected key");
            }
        } else if (e.isFloatingPointNumber() || (e.isNumber() && a.isFloatingPointNumber())) {
            if (!a.isNumber() || Math.abs(e.asDouble() - a.asDouble()) > tol) {
                out.add(path + ": expected " + e + ", got " + a + (a.isNumber() ? " (diff " + Math.abs(e.asDouble() - a.asDouble()) + ")" : ""));
            }
        } else if (!e.equals(a)) {
            out.add(path + ": expected " + e + ", got " + a);
        }
    }

    /** A golden output array: {@code {"file", "shape", "data_offset"}} of a cases.json, relative to {@code goldensDir}. */
    static float[] npy(String goldensDir, JsonNode output) {
        try {
            byte[] b = Files.readAllBytes(path(goldensDir + "/" + output.get("file").asText()));
            int off = output.get("data_offset").asInt();
            java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(b, off, b.length - off).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String brief(JsonNode n) {
        String s = n.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
