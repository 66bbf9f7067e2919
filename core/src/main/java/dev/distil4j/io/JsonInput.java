package dev.distil4j.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The one way model files' JSON is read. Every failure becomes the caller's exception type with a
 * message that names the source and the line and column: syntax errors, Jackson's own limits
 * (nesting deeper than 1,000 levels, over-long numbers and strings: their exceptions carry no
 * location, which used to end in a NullPointerException), content after the JSON value (Python's
 * {@code json.load} refuses it too, so such a config.json never loaded in transformers), and
 * files over {@link InputLimits#maxJsonBytes()}.
 */
public final class JsonInput {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonInput() {}

    /** Reads {@code file} whole, within {@link InputLimits#fromSystemProperties()}. */
    public static JsonNode read(Path file, Function<String, ? extends RuntimeException> error) {
        return read(file, InputLimits.fromSystemProperties().maxJsonBytes(), error);
    }

    /** Reads {@code file}, refusing it when it is larger than {@code maxBytes}. */
    public static JsonNode read(Path file, long maxBytes, Function<String, ? extends RuntimeException> error) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(file.toString(), in, maxBytes, error);
        } catch (NoSuchFileException e) {
            throw error.apply(file + ": file not found");
        } catch (IOException e) {
            throw error.apply(file + ": cannot read: " + e.getMessage());
        }
    }

    /** Parses what is left of {@code in}, refusing more than {@code maxBytes}; read errors are the caller's. */
    public static JsonNode parse(String where, InputStream in, long maxBytes, Function<String, ? extends RuntimeException> error)
            throws IOException {
        // one byte past the limit tells "too large" apart; readNBytes grows with what is there
        byte[] bytes = in.readNBytes((int) Math.min(maxBytes, Integer.MAX_VALUE - 16) + 1);
        if (bytes.length > maxBytes) {
            throw error.apply(where + ": more than " + maxBytes + " bytes, the limit for a JSON file (system property "
                    + InputLimits.JSON_PROPERTY + ")");
        }
        return parse(where, bytes, error);
    }

    /** Parses UTF-8 {@code json}; {@code where} starts every message. */
    public static JsonNode parse(String where, byte[] json, Function<String, ? extends RuntimeException> error) {
        try (JsonParser p = MAPPER.createParser(json)) {
            return parse(where, p, error);
        } catch (IOException e) {
            throw error.apply(where + ": cannot read: " + e.getMessage()); // closing an in-memory parser
        }
    }

    /** Parses {@code json}; {@code where} starts every message. */
    public static JsonNode parse(String where, String json, Function<String, ? extends RuntimeException> error) {
        try (JsonParser p = MAPPER.createParser(json)) {
            return parse(where, p, error);
        } catch (IOException e) {
            throw error.apply(where + ": cannot read: " + e.getMessage());
        }
    }

    private static JsonNode parse(String where, JsonParser p, Function<String, ? extends RuntimeException> error) {
        JsonNode root;
        try {
            root = MAPPER.readTree(p);
        } catch (JsonProcessingException e) {
            // constraint violations carry no location: the parser still knows where it stopped
            JsonLocation loc = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            String what = e instanceof StreamConstraintsException ? "JSON beyond the parser's limits: " : "not valid JSON: ";
            throw error.apply(where + ": " + at(loc) + ": " + what + clean(e.getOriginalMessage()));
        } catch (IOException e) {
            throw error.apply(where + ": cannot read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) throw error.apply(where + ": empty, expected a JSON value");
        JsonLocation end = p.currentLocation();
        boolean trailing;
        try {
            trailing = p.nextToken() != null;
        } catch (IOException e) {
            trailing = true; // not even a token: garbage
        }
        if (trailing) {
            throw error.apply(where + ": " + at(end) + ": unexpected content after the JSON value");
        }
        return root;
    }

    private static String at(JsonLocation loc) {
        return "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** Jackson's limit messages name its own API ("from `StreamReadConstraints.getMaxNestingDepth()`"): not for users. */
    private static String clean(String message) {
        return message == null ? "" : message.replaceAll(", from `[^`]*`", "");
    }
}
