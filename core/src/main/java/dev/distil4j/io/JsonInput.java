package dev.distil4j.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
        return parse(json, p -> error.apply(where + ": " + p.located()));
    }

    /** Parses {@code json}; {@code where} starts every message. */
    public static JsonNode parse(String where, String json, Function<String, ? extends RuntimeException> error) {
        return parse(json, p -> error.apply(where + ": " + p.located()));
    }

    /**
     * Parses {@code json}, the caller wording the message from the {@link Problem}: a JSON Lines
     * record is named by its line in the file, and a line inside the record would only confuse.
     */
    public static JsonNode parse(String json, Function<Problem, ? extends RuntimeException> error) {
        try (JsonParser p = MAPPER.createParser(json)) {
            return parse(p, error);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // closing an in-memory parser
        }
    }

    /** {@link #parse(String, Function)} for UTF-8 bytes (Jackson also detects UTF-16 and UTF-32 by their first bytes). */
    public static JsonNode parse(byte[] json, Function<Problem, ? extends RuntimeException> error) {
        try (JsonParser p = MAPPER.createParser(json)) {
            return parse(p, error);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Why a JSON text was refused.
     *
     * @param line   1-based line in the text; 0 when there is no place to point at (an empty text)
     * @param column 1-based column (characters for text, bytes for bytes)
     * @param kind   what sort of problem
     * @param detail Jackson's description for {@link Kind#SYNTAX} and {@link Kind#LIMIT}, else ""
     */
    public record Problem(int line, int column, Kind kind, String detail) {
        public enum Kind { SYNTAX, LIMIT, TRAILING, EMPTY }

        /** What was wrong, without the place: "not valid JSON: ...", "unexpected content after the JSON value", ... */
        public String reason() {
            return switch (kind) {
                case SYNTAX -> "not valid JSON: " + detail;
                case LIMIT -> "JSON beyond the parser's limits: " + detail;
                case TRAILING -> "unexpected content after the JSON value";
                case EMPTY -> "empty, expected a JSON value";
            };
        }

        /** "line L, column C: reason", or the reason alone when there is no place. */
        public String located() {
            return line > 0 ? "line " + line + ", column " + column + ": " + reason() : reason();
        }
    }

    private static JsonNode parse(JsonParser p, Function<Problem, ? extends RuntimeException> error) {
        JsonNode root;
        try {
            root = MAPPER.readTree(p);
        } catch (JsonProcessingException e) {
            // constraint violations carry no location: the parser still knows where it stopped
            JsonLocation loc = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            Problem.Kind kind = e instanceof StreamConstraintsException ? Problem.Kind.LIMIT : Problem.Kind.SYNTAX;
            throw error.apply(problem(loc, kind, clean(e.getOriginalMessage())));
        } catch (IOException e) {
            // in memory there is nothing to fail but the text itself (a CharConversionException: bad UTF-32)
            throw error.apply(problem(p.currentLocation(), Problem.Kind.SYNTAX, String.valueOf(e.getMessage())));
        }
        if (root == null || root.isMissingNode()) throw error.apply(new Problem(0, 0, Problem.Kind.EMPTY, ""));
        JsonLocation end = p.currentLocation();
        JsonLocation extra; // a token after the value: where it starts; garbage: where the value ended
        try {
            extra = p.nextToken() != null ? p.currentTokenLocation() : null;
        } catch (IOException e) {
            extra = end; // not even a token (Jackson would point past it)
        }
        if (extra != null) throw error.apply(problem(extra, Problem.Kind.TRAILING, ""));
        return root;
    }

    private static Problem problem(JsonLocation loc, Problem.Kind kind, String detail) {
        return new Problem(Math.max(1, loc.getLineNr()), Math.max(1, loc.getColumnNr()), kind, detail);
    }

    /** Jackson's limit messages name its own API ("from `StreamReadConstraints.getMaxNestingDepth()`"): not for users. */
    private static String clean(String message) {
        return message == null ? "" : message.replaceAll(", from `[^`]*`", "");
    }
}
