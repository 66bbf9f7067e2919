package dev.distil4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The lines of a UTF-8 stream, as the record readers take them. Bytes are split on {@code \n},
 * {@code \r\n} and {@code \r} (as {@code BufferedReader.readLine}) before decoding, so that a
 * decoding error names its exact line ({@link Utf8Text}); a line of any length is read, but no more
 * than {@code maxLineBytes} of it is kept: a longer one is skipped to its end and comes back as an
 * error, so one huge line costs a bounded amount of memory, not an OutOfMemoryError. A UTF-8 byte
 * order mark at the start is dropped, a UTF-16 or UTF-32 one refused.
 *
 * <p>Not thread-safe; one pass. Does not close the stream.
 */
final class TextLines {
    /**
     * One line.
     *
     * @param number its 1-based number
     * @param text   the line without its terminator; null when it is longer than the limit (with U+FFFD
     *               for bad bytes when {@code error} says they are not UTF-8)
     * @param error  why the line cannot be used as it is, or null
     * @param bytes  its length in bytes, terminator excluded
     * @param lead   its first byte that is not ASCII whitespace, or -1: tells the format even of an over-long line
     */
    record Line(long number, String text, String error, long bytes, int lead) {
        boolean blank() {
            return error == null && text.isBlank();
        }
    }

    private final InputStream in;
    private final String source;
    private final Utf8Text utf8;
    private final int maxLineBytes;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private boolean eof;
    private boolean started;
    private byte[] line = new byte[256];
    private long number;
    private long consumed;

    /**
     * @param source       how messages name the stream ("stdin", a file name)
     * @param maxLineBytes the longest line kept, in bytes
     */
    TextLines(InputStream in, String source, Utf8Text utf8, int maxLineBytes) {
        this.in = in;
        this.source = source;
        this.utf8 = utf8;
        this.maxLineBytes = maxLineBytes;
    }

    /** Bytes consumed by the lines returned so far, terminators included. */
    long bytesRead() {
        return consumed;
    }

    /** The next line, or null at the end. */
    Line next() throws IOException {
        if (!started) start();
        if (pos == end && !fill()) return null;
        int len = 0;
        long total = 0;
        int lead = -1;
        while (true) {
            if (pos == end && !fill()) break;
            int i = pos;
            while (i < end && buf[i] != '\n' && buf[i] != '\r') i++;
            int n = i - pos;
            if (lead < 0) lead = lead(pos, i);
            if (total + n <= maxLineBytes) {
                if (len + n > line.length) line = Arrays.copyOf(line, Math.max(len + n, Math.min(2 * line.length, maxLineBytes)));
                System.arraycopy(buf, pos, line, len, n);
                len += n;
            }
            total += n;
            consumed += n;
            pos = i;
            if (i < end) { // a terminator
                consumed++;
                if (buf[pos++] == '\r') {
                    if (pos == end) fill();
                    if (pos < end && buf[pos] == '\n') {
                        pos++;
                        consumed++;
                    }
                }
                break;
            }
        }
        number++;
        if (total > maxLineBytes) {
            return new Line(number, null, "longer than " + Sizes.format(maxLineBytes) + " (" + Sizes.format(total)
                    + "), the limit for one record (--max-record-size)", total, lead);
        }
        Utf8Text.Decoded d = utf8.decode(line, 0, len, b -> "at byte " + (b + 1) + " of the line");
        return new Line(number, d.text(), d.problem() == null ? null : "not UTF-8 text: " + d.problem(), total, lead);
    }

    private int lead(int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\f' && b != 0x0b) return b & 0xff;
        }
        return -1;
    }

    /** Looks at the first bytes: a UTF-8 byte order mark is dropped, another is refused. */
    private void start() throws IOException {
        started = true;
        while (end < 4 && fillMore()) {
            // at least four bytes, or all there are
        }
        String foreign = Utf8Text.foreignBom(buf, end);
        if (foreign != null) throw Utf8Text.foreignEncoding(source, foreign);
        if (Utf8Text.utf8Bom(buf, end)) {
            pos = 3;
            consumed = 3;
        }
    }

    /** Refills the empty buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        pos = 0;
        end = 0;
        return fillMore();
    }

    private boolean fillMore() throws IOException {
        if (eof) return false;
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
            return false;
        }
        end += n;
        return true;
    }
}
