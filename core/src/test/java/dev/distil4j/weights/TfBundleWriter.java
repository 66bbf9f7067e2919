package dev.distil4j.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/** Writes a small single-shard TensorFlow bundle the way TensorFlow does, for tests of the reader. */
public final class TfBundleWriter {
    record Tensor(int tfDtype, long[] shape, byte[] data) {}

    private final TreeMap<String, Tensor> tensors = new TreeMap<>();

    public TfBundleWriter f32(String name, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        tensors.put(name, new Tensor(1, shape, b.array()));
        return this;
    }

    public TfBundleWriter f16(String name, long[] shape, float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        tensors.put(name, new Tensor(19, shape, b.array()));
        return this;
    }

    public TfBundleWriter i64(String name, long value) {
        tensors.put(name, new Tensor(9, new long[0],
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array()));
        return this;
    }

    /** Writes PREFIX.index and PREFIX.data-00000-of-00001; returns the index path. */
    public Path write(Path dir, String prefix) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        TreeMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", header());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            entries.put(e.getKey(), entry(t, data.size()));
            data.writeBytes(t.data);
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        long[] dataHandle = block(file, entries);
        long[] metaHandle = block(file, new TreeMap<>());
        TreeMap<String, byte[]> index = new TreeMap<>();
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        varint(h, dataHandle[0]);
        varint(h, dataHandle[1]);
        index.put(entries.lastKey(), h.toByteArray());
        long[] indexHandle = block(file, index);
        ByteArrayOutputStream footer = new ByteArrayOutputStream();
        varint(footer, metaHandle[0]);
        varint(footer, metaHandle[1]);
        varint(footer, indexHandle[0]);
        varint(footer, indexHandle[1]);
        while (footer.size() < 40) footer.write(0);
        footer.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0xdb4775248b80fb57L).array());
        file.writeBytes(footer.toByteArray());
        Path index1 = dir.resolve(prefix + ".index");
        Files.write(index1, file.toByteArray());
        Files.write(dir.resolve(prefix + ".data-00000-of-00001"), data.toByteArray());
        return index1;
    }

    private static byte[] header() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x08);
        varint(b, 1); // num_shards
        return b.toByteArray();
    }

    private static byte[] entry(Tensor t, long offset) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x08);
        varint(b, t.tfDtype);
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (long d : t.shape) {
            ByteArrayOutputStream dim = new ByteArrayOutputStream();
            dim.write(0x08);
            varint(dim, d);
            shape.write(0x12);
            varint(shape, dim.size());
            shape.writeBytes(dim.toByteArray());
        }
        b.write(0x12);
        varint(b, shape.size());
        b.writeBytes(shape.toByteArray());
        b.write(0x20);
        varint(b, offset);
        b.write(0x28);
        varint(b, t.data.length);
        CRC32C crc = new CRC32C();
        crc.update(t.data);
        b.write(0x35);
        b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(TensorBundle.mask((int) crc.getValue())).array());
        return b.toByteArray();
    }

    /** Appends a block (no prefix sharing, one restart point) with its trailer; returns its handle. */
    private static long[] block(ByteArrayOutputStream file, TreeMap<String, byte[]> kv) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : kv.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            varint(b, 0);
            varint(b, k.length);
            varint(b, e.getValue().length);
            b.writeBytes(k);
            b.writeBytes(e.getValue());
        }
        b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(1).array());
        byte[] contents = b.toByteArray();
        long offset = file.size();
        file.writeBytes(contents);
        file.write(0);
        CRC32C crc = new CRC32C();
        crc.update(contents);
        crc.update(0);
        file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(TensorBundle.mask((int) crc.getValue())).array());
        return new long[] {offset, contents.length};
    }

    private static void varint(ByteArrayOutputStream b, long v) {
        while ((v & ~0x7fL) != 0) {
            b.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        b.write((int) v);
    }
}
