package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the CLI in-process with a given stdin, capturing stdout and stderr (commands with an (InputStream, OutputStream) constructor get them). */
final class CliRun {
    record Result(int code, String out, String err) {
        /** stdout's JSON lines. */
        List<JsonNode> lines() {
            List<JsonNode> out = new ArrayList<>();
            for (String l : this.out.split("\n")) {
                if (l.isBlank()) continue;
                try {
                    out.add(MAPPER.readTree(l));
                } catch (IOException e) {
                    throw new UncheckedIOException("stdout line is not JSON: " + l, e);
                }
            }
            return out;
        }
    }

    static final ObjectMapper MAPPER = new ObjectMapper();

    private CliRun() {}

    static Result run(String stdin, String... args) {
        return run(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    /** With stdin as bytes: input that is not UTF-8. */
    static Result run(byte[] stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        InputStream in = new ByteArrayInputStream(stdin);
        int code = Main.run(Main.streams(in, out), new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true),
                new PrintWriter(err, true), args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    static Path shared(String rel) {
        String prop = System.getProperty("distil4j.shared", "../../shared");
        Path p = Path.of(prop).resolve(rel);
        if (!Files.exists(p)) throw new IllegalStateException("reference data missing: " + p.toAbsolutePath());
        return p;
    }

    static JsonNode json(String rel) {
        try {
            return MAPPER.readTree(shared(rel).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Structural JSON comparison, numbers within tol; every mismatch as "path: expected X, got Y". */
    static List<String> diff(JsonNode e, JsonNode a, double tol) {
        List<String> out = new ArrayList<>();
        diff("$", e, a, tol, out);
        return out;
    }

    private static void diff(String path, JsonNode e, JsonNode a, double tol, List<String> out) {
        if (a == null) {
            out.add(path + ": missing, expected " + e);
        } else if (e.isArray()) {
            if (!a.isArray() || a.size() != e.size()) {
                out.add(path + ": expected a list of " + e.size() + ", got " + a);
            } else {
                for (int i = 0; i < e.size(); i++) diff(path + "[" + i + "]", e.get(i), a.get(i), tol, out);
            }
        } else if (e.isObject()) {
            if (!a.isObject()) {
                out.add(path + ": expected an object, got " + a);
                return;
            }
            e.fieldNames().forEachRemaining(k -> diff(path + "." + k, e.get(k), a.get(k), tol, out));
            a.fieldNames().forEachRemaining(k -> {
                if (!e.has(k)) out.add(path + "." + k + ": unexpected key");
            });
        } else if (e.isFloatingPointNumber()) {
            if (!a.isNumber() || Math.abs(e.asDouble() - a.asDouble()) > tol) out.add(path + ": expected " + e + ", got " + a);
        } else if (!e.equals(a)) {
            out.add(path + ": expected " + e + ", got " + a);
        }
    }
}
