package dev.distil4j.tokenizer.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A JSON value read from a file, with the JSON path that leads to it, so that every error names the
 * file and the position: syntax errors give line, column and character offset; structural errors
 * give the JSON path (e.g. {@code $.normalizer.normalizers[1].type}).
 */
final class JsonFile {
    static final ObjectMapper MAPPER = new ObjectMapper();

    final Path file;
    final JsonNode node;
    final String path;

    private JsonFile(Path file, JsonNode node, String path) {
        this.file = file;
        this.node = node;
        this.path = path;
    }

    /** Largest JSON file read whole (the same bound and property as core's {@code InputLimits.maxJsonBytes}). */
    static long maxBytes() {
        String v = System.getProperty("distil4j.maxJsonBytes");
        try {
            long n = v == null || v.isBlank() ? 256L << 20 : Long.parseLong(v.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new TokenizerException("system property distil4j.maxJsonBytes=" + v + " is not a positive number of bytes");
    }

    static JsonFile read(Path file) {
        long max = maxBytes();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 16) + 1); // one past the limit: "too large"
        } catch (NoSuchFileException e) {
            throw new TokenizerException(file + ": file not found");
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (bytes.length > max) {
            throw new TokenizerException(file + ": more than " + max + " bytes, the limit for a JSON file (system property "
                    + "distil4j.maxJsonBytes)");
        }
        try (JsonParser p = MAPPER.createParser(bytes)) {
            JsonNode n;
            try {
                n = MAPPER.readTree(p);
            } catch (JsonProcessingException e) {
                // Jackson's limits (nesting past 1,000 levels...) carry no location; the parser knows where it stopped
                throw new TokenizerException(file + ": " + where(e.getLocation() != null ? e.getLocation() : p.currentLocation())
                        + ": malformed JSON: " + clean(e.getOriginalMessage()), e);
            }
            if (n == null || n.isMissingNode()) {
                throw new TokenizerException(file + ": line 1, column 1: empty file, expected JSON");
            }
            JsonLocation end = p.currentLocation();
            boolean trailing;
            try {
                trailing = p.nextToken() != null;
            } catch (JsonProcessingException e) {
                trailing = true;
            }
            if (trailing) {
                throw new TokenizerException(file + ": " + where(end) + ": malformed JSON: unexpected content after the value");
            }
            return new JsonFile(file, n, "$");
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String where(JsonLocation loc) {
        return "line " + loc.getLineNr() + ", column " + loc.getColumnNr() + " (offset " + loc.getCharOffset() + ")";
    }

    /** Jackson's limit messages name its own API ("from `StreamReadConstraints.getMaxNestingDepth()`"): not for users. */
    private static String clean(String message) {
        return message == null ? "" : message.replaceAll(", from `[^`]*`", "");
    }

    TokenizerException error(String message) {
        return new TokenizerException(file + ": " + path + ": " + message);
    }

    boolean isNull() {
        return node == null || node.isNull() || node.isMissingNode();
    }

    boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    JsonFile get(String key) {
        if (!node.isObject()) {
            throw error("expected an object");
        }
        return new JsonFile(file, node.get(key), path + "." + key);
    }

    JsonFile at(int i) {
        return new JsonFile(file, node.get(i), path + "[" + i + "]");
    }

    JsonFile require(String key) {
        JsonFile v = get(key);
        if (v.isNull()) {
            throw error("missing required field '" + key + "'");
        }
        return v;
    }

    String string() {
        if (!node.isTextual()) {
            throw error("expected a string, found " + kind());
        }
        return node.asText();
    }

    String string(String key, String dflt) {
        JsonFile v = get(key);
        return v.isNull() ? dflt : v.string();
    }

    boolean bool(String key, boolean dflt) {
        JsonFile v = get(key);
        if (v.isNull()) {
            return dflt;
        }
        if (!v.node.isBoolean()) {
            throw v.error("expected true or false, found " + v.kind());
        }
        return v.node.asBoolean();
    }

    Boolean optBool(String key) {
        JsonFile v = get(key);
        return v.isNull() ? null : v.bool0();
    }

    private boolean bool0() {
        if (!node.isBoolean()) {
            throw error("expected true or false, found " + kind());
        }
        return node.asBoolean();
    }

    int integer() {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw error("expected an integer, found " + kind());
        }
        return node.asInt();
    }

    int integer(String key, int dflt) {
        JsonFile v = get(key);
        return v.isNull() ? dflt : v.integer();
    }

    List<JsonFile> array() {
        if (!node.isArray()) {
            throw error("expected an array, found " + kind());
        }
        List<JsonFile> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(at(i));
        }
        return out;
    }

    Iterator<Map.Entry<String, JsonNode>> fields() {
        if (!node.isObject()) {
            throw error("expected an object, found " + kind());
        }
        return node.fields();
    }

    String kind() {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
