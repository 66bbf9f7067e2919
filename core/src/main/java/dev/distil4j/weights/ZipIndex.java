package dev.distil4j.weights;

import dev.distil4j.io.Inflation;
import dev.distil4j.io.InputLimits;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The central directory of a zip file, read so that stored (uncompressed) entries can be used in
 * place: {@link Entry#dataOffset()} is where the entry's bytes start in the file, so they can be
 * memory-mapped rather than copied. Zip64 is understood (torch.save writes it for files over 4 GiB).
 *
 * <p>Every size and offset comes from the file, so each is checked against the file's length with
 * exact arithmetic before it is used: an entry that {@link #read} returns lies wholly inside the file,
 * and a stored entry's two sizes agree.
 */
final class ZipIndex {
    static final int STORED = 0, DEFLATED = 8;
    private static final long U32 = 0xffffffffL;

    /** One entry; {@code dataOffset} already skips the local header. */
    record Entry(String name, int method, long compressedSize, long size, long dataOffset) {}

    private ZipIndex() {}

    /** True when the file starts with a zip local-file header. */
    static boolean looksLikeZip(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        if (ch.read(b, 0) < 4) return false;
        return b.getInt(0) == 0x04034b50;
    }

    static Map<String, Entry> read(Path file, FileChannel ch) throws IOException {
        String where = file.toString();
        long size = ch.size();
        int tail = (int) Math.min(size, 22 + 65535);
        if (tail < 22) throw new WeightsException(where + ": not a zip file (" + size + " bytes)");
        ByteBuffer end = read(ch, size - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) throw new WeightsException(where + ": not a zip file (no end-of-central-directory record)");
        long count = end.getShort(eocd + 10) & 0xffff;
        long cdSize = end.getInt(eocd + 12) & U32;
        long cdOffset = end.getInt(eocd + 16) & U32;
        long eocdPos = size - tail + eocd;
        if ((count == 0xffff || cdSize == U32 || cdOffset == U32) && eocdPos >= 20) {
            ByteBuffer loc = read(ch, eocdPos - 20, 20);
            if (loc.getInt(0) == 0x07064b50) {
                long z64 = loc.getLong(8);
                if (z64 < 0 || z64 > size - 56) throw new WeightsException(where + ": zip64 end record lies outside the file");
                ByteBuffer rec = read(ch, z64, 56);
                if (rec.getInt(0) != 0x06064b50) throw new WeightsException(where + ": corrupt zip64 end record");
                count = rec.getLong(32);
                cdSize = rec.getLong(40);
                cdOffset = rec.getLong(48);
            }
        }
        // unsigned 64-bit values above 2^63 read as negative: outside the file either way
        if (cdOffset < 0 || cdSize < 0 || cdOffset > size || cdSize > size - cdOffset) {
            throw new WeightsException(where + ": zip central directory (" + Long.toUnsignedString(cdSize) + " bytes at "
                    + Long.toUnsignedString(cdOffset) + ") lies outside the file (" + size + " bytes); the file is truncated");
        }
        if (cdSize > Integer.MAX_VALUE) {
            throw new WeightsException(where + ": zip central directory of " + cdSize + " bytes is too large to read");
        }
        // each record takes at least 46 bytes, so a count above cdSize / 46 cannot be true
        if (count < 0 || count > cdSize / 46) {
            throw new WeightsException(where + ": zip central directory claims " + Long.toUnsignedString(count)
                    + " entries, which " + cdSize + " bytes cannot hold");
        }
        ByteBuffer cd = read(ch, cdOffset, (int) cdSize);
        Map<String, Entry> out = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (cd.capacity() - p < 46 || cd.getInt(p) != 0x02014b50) {
                throw new WeightsException(where + ": corrupt zip central directory at entry " + i);
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & U32;
            long usize = cd.getInt(p + 24) & U32;
            int nameLen = cd.getShort(p + 28) & 0xffff, extraLen = cd.getShort(p + 30) & 0xffff,
                    commentLen = cd.getShort(p + 32) & 0xffff;
            long localOffset = cd.getInt(p + 42) & U32;
            if (cd.capacity() - p - 46 < nameLen + extraLen + commentLen) {
                throw new WeightsException(where + ": corrupt zip central directory: entry " + i + " runs past its end");
            }
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // zip64 extra field: the 0xffffffff values follow in this order
            int x = p + 46 + nameLen, xEnd = x + extraLen;
            while (xEnd - x >= 4) {
                int id = cd.getShort(x) & 0xffff, len = cd.getShort(x + 2) & 0xffff;
                if (len > xEnd - x - 4) throw new WeightsException(where + ": corrupt extra field of '" + name + "'");
                if (id == 0x0001) {
                    int q = x + 4, qEnd = q + len;
                    if (usize == U32) { usize = zip64(where, name, cd, q, qEnd); q += 8; }
                    if (csize == U32) { csize = zip64(where, name, cd, q, qEnd); q += 8; }
                    if (localOffset == U32) { localOffset = zip64(where, name, cd, q, qEnd); }
                }
                x += 4 + len;
            }
            if (localOffset < 0 || localOffset > size - 30) {
                throw new WeightsException(where + ": local header of '" + name + "' lies outside the file; the file is truncated");
            }
            ByteBuffer lh = read(ch, localOffset, 30);
            if (lh.getInt(0) != 0x04034b50) throw new WeightsException(where + ": corrupt local header of '" + name + "'");
            long dataOffset = localOffset + 30 + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff); // < 2^63: all terms are bounded
            if (csize < 0 || usize < 0 || dataOffset > size || csize > size - dataOffset) {
                throw new WeightsException(where + ": entry '" + name + "' runs past the end of the file; the file is truncated");
            }
            if (method == STORED && csize != usize) {
                throw new WeightsException(where + ": stored entry '" + name + "' declares " + usize + " bytes but holds " + csize);
            }
            out.put(name, new Entry(name, method, csize, usize, dataOffset));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    private static long zip64(String where, String name, ByteBuffer cd, int q, int qEnd) {
        if (qEnd - q < 8) throw new WeightsException(where + ": zip64 field of '" + name + "' is too short");
        return cd.getLong(q);
    }

    /**
     * The uncompressed bytes of a (small) entry such as {@code data.pkl}: never more than
     * {@code maxBytes}, nor than what its sizes and {@code limits} allow (see {@link Inflation}).
     */
    static byte[] bytes(String where, FileChannel ch, Entry e, long maxBytes, InputLimits limits) throws IOException {
        String what = where + ": '" + e.name() + "'";
        InputStream data = switch (e.method()) {
            case STORED -> new Region(ch, e.dataOffset(), e.compressedSize(), false);
            // raw deflate wants one byte of input past the end (java.util.zip.Inflater's "nowrap" note)
            case DEFLATED -> new InflaterInputStream(new Region(ch, e.dataOffset(), e.compressedSize(), true),
                    new Inflater(true), 1 << 16);
            default -> throw new WeightsException(what + " uses zip method " + e.method() + " (only stored and deflated are read)");
        };
        // at most what the entry declares, which Inflation.open bounds: read straight into one array of that size
        try (InputStream in = Inflation.open(what, e.compressedSize(), e.size(), data, Math.min(maxBytes, Integer.MAX_VALUE - 8),
                limits, WeightsException::new)) {
            byte[] out = new byte[(int) e.size()];
            in.readNBytes(out, 0, out.length); // fails if the entry ends early
            in.read(); // fails if it holds more than it declares
            return out;
        } catch (java.util.zip.ZipException | java.io.EOFException ex) {
            throw new WeightsException(what + " is corrupt: " + ex.getMessage(), ex);
        }
    }

    /** {@code length} bytes of the file from {@code offset}, then, when {@code pad}, one zero byte. */
    private static final class Region extends InputStream {
        private final FileChannel ch;
        private long pos;
        private final long end;
        private boolean pad;

        Region(FileChannel ch, long offset, long length, boolean pad) {
            this.ch = ch;
            this.pos = offset;
            this.end = offset + length; // read() checked that the entry lies inside the file
            this.pad = pad;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (pos >= end) {
                if (!pad) return -1;
                pad = false;
                b[off] = 0;
                return 1;
            }
            int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
            if (n < 0) throw new java.io.EOFException("unexpected end of file at byte " + pos);
            pos += n;
            return n;
        }
    }

    private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) throw new IOException("unexpected end of file at byte " + (pos + b.position()));
        }
        return b.flip();
    }
}
