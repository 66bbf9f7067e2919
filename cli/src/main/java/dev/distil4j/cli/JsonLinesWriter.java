package dev.distil4j.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Writes one compact JSON value per line (UTF-8) to stdout or a file. A record that failed is
 * written in its place as {@code {"error": "...", "line": N}}, so that output line i always
 * answers input record i. On stdout each line goes out as it is written (a reader sees results as
 * they come; a reader that went away stops the command: {@link BrokenPipe}); a file is an
 * {@link OutputFile}, there only once {@link #commit()} is called.
 */
final class JsonLinesWriter implements AutoCloseable {
    // flushing is this class's business: per line on stdout, at the end for a file
    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

    private final OutputStream out;
    private final OutputFile file;

    private JsonLinesWriter(OutputStream out, OutputFile file) {
        this.out = out;
        this.file = file;
    }

    /** Writes to stdout (left open). */
    static JsonLinesWriter stdout(OutputStream stdout) {
        return new JsonLinesWriter(new BufferedOutputStream(stdout, 1 << 16), null);
    }

    /**
     * Writes to {@code file}, or to {@code stdout} (left open) when {@code file} is null or "-".
     *
     * @param inputs the files the command reads, which {@code file} must not be
     */
    static JsonLinesWriter open(Path file, OutputStream stdout, Collection<Path> inputs) {
        if (file == null || file.toString().equals("-")) return stdout(stdout);
        OutputFile f = OutputFile.create(file, inputs);
        return new JsonLinesWriter(f.stream(), f);
    }

    /** Whether this writes to stdout rather than a file of its own. */
    boolean toStdout() {
        return file == null;
    }

    void write(JsonNode value) {
        try {
            JSON.writeValue(out, value);
            out.write('\n');
            if (file == null) out.flush();
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

    /** Every record was written: a file gets its content now. */
    void commit() {
        if (file != null) file.commit();
    }

    /** Flushes stdout; a file that was not committed is thrown away (see {@link OutputFile}). */
    @Override
    public void close() {
        if (file != null) {
            file.close();
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
