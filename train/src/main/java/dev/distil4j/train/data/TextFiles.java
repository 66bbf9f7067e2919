package dev.distil4j.train.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Strict UTF-8 text: a bad byte is an error naming the line, never a silent U+FFFD in the training data. */
final class TextFiles {
    private TextFiles() {}

    static BufferedReader open(Path file) {
        try {
            var decoder = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
            return new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static RuntimeException failure(Path file, int line, IOException e) {
        if (e instanceof CharacterCodingException) {
            return new DataFormatException(Origin.of(file, line), null, "not valid UTF-8 text", e);
        }
        return new UncheckedIOException("cannot read " + file + " (at line " + line + "): " + e.getMessage(), e);
    }

    /** Lines without their terminator ({@code \n}, {@code \r\n} or {@code \r}), a leading BOM removed. */
    static final class Lines implements AutoCloseable {
        private final Path file;
        private final BufferedReader in;
        private int line;

        Lines(Path file) {
            this.file = file;
            this.in = open(file);
        }

        /** The next line, or null at the end. */
        String next() {
            try {
                String s = in.readLine();
                if (s == null) {
                    return null;
                }
                line++;
                if (line == 1 && s.startsWith("\uFEFF")) {
                    s = s.substring(1);
                }
                return s;
            } catch (IOException e) {
                throw failure(file, line + 1, e);
            }
        }

        /** The number of the line {@link #next()} returned last. */
        int line() {
            return line;
        }

        Origin origin() {
            return Origin.of(file, line);
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
