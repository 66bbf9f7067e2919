package dev.distil4j.weights;

import dev.distil4j.testutil.RawZip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes pickle opcodes by hand, and torch.save-style zips around them, for tests. */
final class PickleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBuilder op(int... bytes) {
        for (int b : bytes) out.write(b);
        return this;
    }

    PickleBuilder proto(int v) {
        return op(0x80, v);
    }

    PickleBuilder global(String module, String name) {
        op('c');
        raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleBuilder str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X', b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24);
        raw(b);
        return this;
    }

    PickleBuilder shortStr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c, b.length);
        raw(b);
        return this;
    }

    PickleBuilder integer(int v) {
        if (v >= 0 && v < 256) return op('K', v);
        if (v >= 0 && v < 65536) return op('M', v & 0xff, v >> 8);
        return op('J', v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);
    }

    /** Any 64-bit int, as LONG1 with 8 bytes (what pickle writes for ints past 32 bits). */
    PickleBuilder longInt(long v) {
        op(0x8a, 8);
        for (int i = 0; i < 8; i++) op((int) (v >>> (8 * i)) & 0xff);
        return this;
    }

    PickleBuilder mark() {
        return op('(');
    }

    PickleBuilder tuple() {
        return op('t');
    }

    PickleBuilder reduce() {
        return op('R');
    }

    PickleBuilder stop() {
        return op('.');
    }

    PickleBuilder raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** {@code _rebuild_tensor_v2(persistent_load(('storage', torch.TYPE, key, 'cpu', numel)), offset, shape, stride, False, OrderedDict())}. */
    PickleBuilder tensor(String storageType, String key, int numel, int offset, int[] shape, int[] stride) {
        return tensor(storageType, key, numel, offset, java.util.Arrays.stream(shape).asLongStream().toArray(),
                java.util.Arrays.stream(stride).asLongStream().toArray(), false);
    }

    /** The same with 64-bit sizes (LONG1 opcodes), for sizes and strides near 2^63. */
    PickleBuilder tensor(String storageType, String key, long numel, long offset, long[] shape, long[] stride) {
        return tensor(storageType, key, numel, offset, shape, stride, true);
    }

    private PickleBuilder tensor(String storageType, String key, long numel, long offset, long[] shape, long[] stride,
                                 boolean wide) {
        java.util.function.LongConsumer num = v -> {
            if (wide) longInt(v);
            else integer((int) v);
        };
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu");
        num.accept(numel);
        tuple();
        op('Q'); // BINPERSID
        num.accept(offset);
        mark();
        for (long d : shape) num.accept(d);
        tuple();
        mark();
        for (long s : stride) num.accept(s);
        tuple();
        op(0x89); // False
        global("collections", "OrderedDict").op(')').reduce();
        tuple();
        return reduce();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** The same layout with data.pkl deflated (torch.save stores it, but a re-zipped checkpoint may not). */
    static byte[] torchZipDeflated(byte[] pickle, Map<String, byte[]> storages) {
        java.util.List<RawZip.Entry> entries = new java.util.ArrayList<>();
        entries.add(RawZip.Entry.of("archive/data.pkl", RawZip.DEFLATED, pickle));
        for (var e : storages.entrySet()) entries.add(RawZip.Entry.of("archive/data/" + e.getKey(), RawZip.STORED, e.getValue()));
        entries.add(RawZip.Entry.of("archive/version", RawZip.STORED, "3\n".getBytes(StandardCharsets.US_ASCII)));
        return RawZip.write(entries);
    }

    /** A zip laid out as torch.save lays it out: ROOT/data.pkl, ROOT/data/KEY (stored), ROOT/version. */
    static void torchZip(Path file, byte[] pickle, Map<String, byte[]> storages) {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            stored(z, "archive/data.pkl", pickle);
            for (var e : storages.entrySet()) stored(z, "archive/data/" + e.getKey(), e.getValue());
            stored(z, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void stored(ZipOutputStream z, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }
}
