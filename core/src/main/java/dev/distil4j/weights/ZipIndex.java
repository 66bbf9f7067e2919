package dev.distil4j.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip file, read so that stored (uncompressed) entries can be used in
 * place: {@link Entry#dataOffset()} is where the entry's bytes start in the file, so they can be
 * memory-mapped rather than copied. Zip64 is understood (torch.save writes it for files over 4 GiB).
 */
final class ZipIndex {
    static final int STORED = 0, DEFLATED = 8;

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
        long cdSize = end.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = end.getInt(eocd + 16) & 0xffffffffL;
        long eocdPos = size - tail + eocd;
        if ((count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) && eocdPos >= 20) {
            ByteBuffer loc = read(ch, eocdPos - 20, 20);
            if (loc.getInt(0) == 0x07064b50) {
                long z64 = loc.getLong(8);
                ByteBuffer rec = read(ch, z64, 56);
                if (rec.getInt(0) != 0x06064b50) throw new WeightsException(where + ": corrupt zip64 end record");
                count = rec.getLong(32);
                cdSize = rec.getLong(40);
                cdOffset = rec.getLong(48);
            }
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > size || cdSize > Integer.MAX_VALUE) {
            throw new WeightsException(where + ": zip central directory lies outside the file; the file is truncated");
        }
        ByteBuffer cd = read(ch, cdOffset, (int) cdSize);
        Map<String, Entry> out = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cd.capacity() || cd.getInt(p) != 0x02014b50) {
                throw new WeightsException(where + ": corrupt zip central directory at entry " + i);
            }
            int method = cd.getShort(p + 10) & 0xffff;
            long csize = cd.getInt(p + 20) & 0xffffffffL;
            long usize = cd.getInt(p + 24) & 0xffffffffL;
            int nameLen = cd.getShort(p + 28) & 0xffff, extraLen = cd.getShort(p + 30) & 0xffff,
                    commentLen = cd.getShort(p + 32) & 0xffff;
            long localOffset = cd.getInt(p + 42) & 0xffffffffL;
            byte[] nameBytes = new byte[nameLen];
            cd.get(p + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // zip64 extra field: the 0xffffffff values follow in this order
            int x = p + 46 + nameLen, xEnd = x + extraLen;
            while (x + 4 <= xEnd) {
                int id = cd.getShort(x) & 0xffff, len = cd.getShort(x + 2) & 0xffff;
                if (id == 0x0001) {
                    int q = x + 4;
                    if (usize == 0xffffffffL) { usize = cd.getLong(q); q += 8; }
                    if (csize == 0xffffffffL) { csize = cd.getLong(q); q += 8; }
                    if (localOffset == 0xffffffffL) { localOffset = cd.getLong(q); }
                }
                x += 4 + len;
            }
            ByteBuffer lh = read(ch, localOffset, 30);
            if (lh.getInt(0) != 0x04034b50) throw new WeightsException(where + ": corrupt local header of '" + name + "'");
            long dataOffset = localOffset + 30 + (lh.getShort(26) & 0xffff) + (lh.getShort(28) & 0xffff);
            if (dataOffset + csize > size) {
                throw new WeightsException(where + ": entry '" + name + "' runs past the end of the file; the file is truncated");
            }
            out.put(name, new Entry(name, method, csize, usize, dataOffset));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) throw new IOException("unexpected end of file at byte " + (pos + b.position()));
        }
        return b.flip();
    }
}
