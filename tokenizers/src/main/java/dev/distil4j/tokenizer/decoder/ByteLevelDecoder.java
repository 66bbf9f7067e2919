package dev.distil4j.tokenizer.decoder;

import dev.distil4j.tokenizer.pretokenizer.ByteLevel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Byte-level decoder: maps stand-in characters back to bytes and decodes UTF-8, replacing invalid
 * sequences by U+FFFD per maximal subpart (as Rust's {@code from_utf8_lossy} and Python's
 * {@code errors="replace"} do). A token containing a character that is not a byte stand-in (an added
 * token) contributes its own UTF-8 bytes.
 */
public record ByteLevelDecoder() implements Decoder {
    @Override
    public String type() {
        return "ByteLevel";
    }

    @Override
    public String decode(List<String> tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String t : tokens) {
            boolean allBytes = true;
            for (int i = 0; i < t.length() && allBytes; ) {
                int cp = t.codePointAt(i);
                allBytes = ByteLevel.charToByte(cp) >= 0;
                i += Character.charCount(cp);
            }
            if (allBytes) {
                for (int i = 0; i < t.length(); ) {
                    int cp = t.codePointAt(i);
                    out.write(ByteLevel.charToByte(cp));
                    i += Character.charCount(cp);
                }
            } else {
                out.writeBytes(t.getBytes(StandardCharsets.UTF_8));
            }
        }
        return decodeUtf8Lossy(out.toByteArray());
    }

    /** UTF-8 → String with U+FFFD for each maximal invalid subpart (Unicode §3.9, "best practice"). */
    public static String decodeUtf8Lossy(byte[] b) {
        return decodeUtf8Lossy(b, 0, b.length, null);
    }

    /**
     * {@link #decodeUtf8Lossy(byte[])} of {@code b[off, off + len)}; where the first invalid byte is
     * (relative to {@code off}, -1 when none) goes to {@code firstInvalid[0]} when that is not null, for
     * readers that refuse what is not UTF-8 and say where.
     */
    public static String decodeUtf8Lossy(byte[] b, int off, int len, int[] firstInvalid) {
        StringBuilder sb = new StringBuilder(len);
        int bad = -1;
        int i = off;
        int n = off + len;
        while (i < n) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                sb.append((char) c);
                i++;
                continue;
            }
            int need;
            int cp;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
                cp = c & 0x1F;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                cp = c & 0x0F;
                if (c == 0xE0) {
                    lo = 0xA0;
                } else if (c == 0xED) {
                    hi = 0x9F;
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                cp = c & 0x07;
                if (c == 0xF0) {
                    lo = 0x90;
                } else if (c == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                if (bad < 0) {
                    bad = i - off;
                }
                sb.append('\uFFFD');
                i++;
                continue;
            }
            int j = i + 1;
            boolean ok = true;
            for (int k = 0; k < need; k++, j++) {
                if (j >= n) {
                    ok = false;
                    break;
                }
                int d = b[j] & 0xFF;
                int l = k == 0 ? lo : 0x80;
                int h = k == 0 ? hi : 0xBF;
                if (d < l || d > h) {
                    ok = false;
                    break;
                }
                cp = cp << 6 | d & 0x3F;
            }
            if (ok) {
                sb.appendCodePoint(cp);
                i = j;
            } else {
                if (bad < 0) {
                    bad = i - off;
                }
                sb.append('\uFFFD');
                i = j; // skip the maximal subpart consumed so far
            }
        }
        if (firstInvalid != null) {
            firstInvalid[0] = bad;
        }
        return sb.toString();
    }
}
