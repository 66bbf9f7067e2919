package dev.distil4j.cli;

import dev.distil4j.tokenizer.decoder.ByteLevelDecoder;

import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Bytes as UTF-8 text, the way every text the CLI reads is decoded: {@link Mode#STRICT} refuses what is
 * not UTF-8 text, naming the first bad byte (a malformed sequence, or a NUL: binary data, or UTF-16
 * without a byte order mark), instead of the JDK's silent U+FFFD; {@link Mode#REPLACE}
 * ({@code --encoding-errors replace}) reads malformed bytes as U+FFFD, as Python's
 * {@code errors="replace"}. A UTF-16 or UTF-32 byte order mark is refused in both modes: such text
 * decoded as UTF-8 is garbage.
 */
final class Utf8Text {
    /** {@code --encoding-errors}. */
    enum Mode {
        STRICT, REPLACE;

        static Mode parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "strict" -> STRICT;
                case "replace" -> REPLACE;
                default -> throw new UserException("--encoding-errors must be strict or replace, not \"" + s + "\"");
            };
        }
    }

    /**
     * The text, or (strict) why it is not UTF-8 text: {@code problem} is then set, ready to follow
     * "not UTF-8 text: ", and {@code text} has U+FFFD in place of malformed bytes.
     */
    record Decoded(String text, String problem) {}

    private final Mode mode;

    Utf8Text(Mode mode) {
        this.mode = mode;
    }

    Mode mode() {
        return mode;
    }

    /**
     * {@code b[off, off + len)} as text. Each maximal ill-formed subpart (Unicode's best practice; what
     * Python replaces) becomes one U+FFFD, so {@code ED A0 80} gives three where the JDK gives one. In
     * strict mode the first bad byte, malformed or NUL, is described with its position {@code at(i)}.
     */
    Decoded decode(byte[] b, int off, int len, IntFunction<String> at) {
        int[] malformed = new int[1];
        String text = ByteLevelDecoder.decodeUtf8Lossy(b, off, len, malformed);
        if (mode == Mode.REPLACE) return new Decoded(text, null);
        int nul = -1;
        for (int i = off; i < off + len && nul < 0; i++) {
            if (b[i] == 0) nul = i - off;
        }
        if (malformed[0] >= 0 && (nul < 0 || malformed[0] < nul)) {
            return new Decoded(text, "byte 0x" + String.format("%02X", b[off + malformed[0]] & 0xff) + " " + at.apply(malformed[0])
                    + "; convert it to UTF-8, or give --encoding-errors replace to read such bytes as U+FFFD");
        }
        if (nul >= 0) {
            // valid UTF-8, but never in text: --encoding-errors replace would not help, so no hint to it
            return new Decoded(text, "a NUL byte " + at.apply(nul) + " (binary data, or UTF-16 without a byte order mark?); "
                    + "convert it to UTF-8");
        }
        return new Decoded(text, null);
    }

    /** The encoding a byte order mark at the start of {@code b} says, when it is not UTF-8's; else null. */
    static String foreignBom(byte[] b, int len) {
        int b0 = len > 0 ? b[0] & 0xff : -1;
        int b1 = len > 1 ? b[1] & 0xff : -1;
        int b2 = len > 2 ? b[2] & 0xff : -1;
        int b3 = len > 3 ? b[3] & 0xff : -1;
        if (b0 == 0xFF && b1 == 0xFE) return b2 == 0 && b3 == 0 ? "UTF-32" : "UTF-16";
        if (b0 == 0xFE && b1 == 0xFF) return "UTF-16";
        if (b0 == 0 && b1 == 0 && b2 == 0xFE && b3 == 0xFF) return "UTF-32";
        return null;
    }

    /** The error for a text that starts with {@code encoding}'s byte order mark. */
    static UserException foreignEncoding(String source, String encoding) {
        return new UserException(source + " is " + encoding + " (it starts with a " + encoding + " byte order mark): convert it to "
                + "UTF-8, e.g. iconv -f " + encoding + " -t UTF-8");
    }

    /** Whether {@code b} starts with UTF-8's byte order mark (dropped: it is not part of the text). */
    static boolean utf8Bom(byte[] b, int len) {
        return len >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF;
    }

    /**
     * A whole file's bytes as text ({@code qa --context-file}), line terminators kept; the UTF-8 byte
     * order mark dropped.
     *
     * @param source how messages name the file, e.g. "--context-file notes.txt"
     * @throws UserException when it is not UTF-8 text (strict), naming the line, or UTF-16/32
     */
    String decodeAll(byte[] b, String source) {
        String foreign = foreignBom(b, b.length);
        if (foreign != null) throw foreignEncoding(source, foreign);
        int start = utf8Bom(b, b.length) ? 3 : 0;
        Decoded d = decode(b, start, b.length - start, i -> where(b, start + i));
        if (d.problem() != null) throw new UserException(source + " is not UTF-8 text: " + d.problem());
        return d.text();
    }

    /** "at line L, byte C" for byte {@code pos} of a whole text (lines end at \n, \r\n or \r, as the record readers count them). */
    private static String where(byte[] b, int pos) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < pos; i++) {
            if (b[i] == '\n' || (b[i] == '\r' && (i + 1 >= b.length || b[i + 1] != '\n'))) {
                line++;
                lineStart = i + 1;
            }
        }
        return "at line " + line + ", byte " + (pos - lineStart + 1);
    }
}
