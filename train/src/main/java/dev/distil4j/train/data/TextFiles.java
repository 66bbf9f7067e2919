package dev.distil4j.train.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Strict UTF-8 text, line by line: a bad byte is an error naming its line, never a silent U+FFFD in the
 * training data. Lines are split on the bytes {@code \n}, {@code \r\n} and {@code \r} before decoding (no
 * UTF-8 sequence contains them), so the line of a decoding error is exact.
 */
final class TextFiles {
    private TextFiles() {}

    static final class Lines implements AutoCloseable {
        private final Path file;
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private byte[] buf = new byte[256];
        private int pushed = -2;
        private int line;
        private String terminator = "";

        Lines(Path file) {
            this.file = file;
            try {
                this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        /** The next line without its terminator (a leading BOM removed), or null at the end. */
        String next() {
            try {
                int len = 0;
                int b = read();
                if (b == -1) {
                    return null;
                }
                while (b != -1 && b != '\n' && b != '\r') {
                    if (len == buf.length) {
                        buf = Arrays.copyOf(buf, 2 * len);
                    }
                    buf[len++] = (byte) b;
                    b = read();
                }
                if (b == '\r') {
                    int c = read();
                    if (c == '\n') {
                        terminator = "\r\n";
                    } else {
                        pushed = c;
                        terminator = "\r";
                    }
                } else {
                    terminator = b == '\n' ? "\n" : "";
                }
                line++;
                String s;
                try {
                    s = decoder.reset().decode(ByteBuffer.wrap(buf, 0, len)).toString();
                } catch (CharacterCodingException e) {
                    throw new DataFormatException(origin(), null, "not valid UTF-8 text", e);
                }
                if (line == 1 && s.startsWith("\uFEFF")) {
                    s = s.substring(1);
                }
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + " (line " + (line + 1) + "): " + e.getMessage(), e);
            }
        }

        /** How the line {@link #next()} returned last ended: {@code "\n"}, {@code "\r\n"}, {@code "\r"}, or "" at the end of the file. */
        String terminator() {
            return terminator;
        }

        /** The number of the line {@link #next()} returned last. */
        int line() {
            return line;
        }

        Origin origin() {
            return Origin.of(file, Math.max(1, line));
        }

        private int read() throws IOException {
            if (pushed != -2) {
                int c = pushed;
                pushed = -2;
                return c;
            }
            return in.read();
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

    /** The characters of a file, line terminators included, for parsers that work character by character. */
    static final class Chars {
        private final Lines lines;
        private String current = "";
        private int pos;
        private boolean end;

        Chars(Lines lines) {
            this.lines = lines;
        }

        /** The next character, or -1 at the end. */
        int read() {
            while (pos >= current.length()) {
                if (end) {
                    return -1;
                }
                String s = lines.next();
                if (s == null) {
                    end = true;
                    return -1;
                }
                current = s + lines.terminator();
                pos = 0;
            }
            return current.charAt(pos++);
        }
    }
}
