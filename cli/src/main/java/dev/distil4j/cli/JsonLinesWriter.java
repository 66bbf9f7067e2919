package dev.distil4j.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one compact JSON value per line (UTF-8) to stdout or a file. A record that failed is
 * written in its place as {@code {"error": "...", "line": N}}, so that output line i always
 * answers input record i.
 */
final class JsonLinesWriter implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final OutputStream out;
    private final boolean ownsStream;

    private JsonLinesWriter(OutputStream out, boolean ownsStream) {
        this.out = out;
        this.ownsStream = ownsStream;
    }

    /** Writes to {@code file}, or to {@code stdout} (left open) when {@code file} is null or "-". */
    static JsonLinesWriter open(Path file, OutputStream stdout) {
        if (file == null || file.toString().equals("-")) return new JsonLinesWriter(stdout, false);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            return new JsonLinesWriter(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), true);
        } catch (IOException e) {
            throw new UserException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Whether this writes to stdout rather than a file of its own. */
    boolean toStdout() {
        return !ownsStream;
    }

    void write(JsonNode value) {
        try {
            JSON.writeValue(out, value);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The placeholder line of a record that failed. */
    void error(InputRecords.Record r, String message) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("error", message);
        o.put("line", r.line());
        write(o);
    }

    void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        flush();
        if (ownsStream) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
