package dev.distil4j.testutil;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Zips written byte by byte, so that tests can make their central directory say anything: sizes that
 * lie, entries that are bombs. {@link java.util.zip.ZipOutputStream} would refuse to write them.
 */
public final class RawZip {
    public static final int STORED = 0, DEFLATED = 8;

    private RawZip() {}

    /**
     * One entry as the central directory will describe it.
     *
     * @param data  the bytes stored in the file (already deflated for {@link #DEFLATED})
     * @param csize the compressed size to declare, normally {@code data.length}
     * @param usize the uncompressed size to declare
     */
    public record Entry(String name, int method, byte[] data, long csize, long usize, int crc) {
        /** An honest entry: stored, or deflated here. */
        public static Entry of(String name, int method, byte[] content) {
            CRC32 c = new CRC32();
            c.update(content);
            byte[] data = method == DEFLATED ? deflate(content) : content;
            return new Entry(name, method, data, data.length, content.length, (int) c.getValue());
        }

        public Entry withSizes(long csize, long usize) {
            return new Entry(name, method, data, csize, usize, crc);
        }
    }

    /** The zip: local headers and data, then the central directory and its end record (no zip64). */
    public static byte[] write(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        for (Entry e : entries) {
            offsets.add((long) out.size());
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(30 + name.length);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) e.method).putInt(0)
                    .putInt(e.crc).putInt((int) e.csize).putInt((int) e.usize).putShort((short) name.length).putShort((short) 0)
                    .put(name);
            out.writeBytes(h.array());
            out.writeBytes(e.data);
        }
        long cdStart = out.size();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            ByteBuffer c = le(46 + name.length);
            c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) e.method)
                    .putInt(0).putInt(e.crc).putInt((int) e.csize).putInt((int) e.usize).putShort((short) name.length)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt((int) (long) offsets.get(i)).put(name);
            out.writeBytes(c.array());
        }
        long cdSize = out.size() - cdStart;
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt((int) cdSize).putInt((int) cdStart).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    /** Raw deflate (no zlib header), as zip entries hold it. */
    public static byte[] deflate(byte[] content) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(content);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    /**
     * Raw deflate data that inflates to {@code mib} MiB of zeros, in about 1 KiB per MiB. Built from one
     * flushed block repeated (after the first MiB the compressor's state repeats too), so a 1 GiB bomb
     * costs milliseconds rather than deflating a gigabyte.
     */
    public static byte[] zeros(int mib) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        byte[] mebibyte = new byte[1 << 20];
        byte[] first = flushed(d, mebibyte), next = flushed(d, mebibyte);
        d.finish();
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        byte[] buf = new byte[64];
        while (!d.finished()) tail.write(buf, 0, d.deflate(buf));
        d.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(first);
        for (int i = 1; i < mib; i++) out.writeBytes(next);
        out.writeBytes(tail.toByteArray());
        return out.toByteArray();
    }

    private static byte[] flushed(Deflater d, byte[] input) {
        d.setInput(input);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length || !d.needsInput());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
