package dev.distil4j.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hand-made safetensors files for tests, including broken ones: header text and data bytes as given. */
public final class StFiles {
    private StFiles() {}

    /** A tensor to write: dtype name, shape, raw little-endian bytes. */
    public record T(String dtype, long[] shape, byte[] bytes) {
        public static T f32(long[] shape, float... values) {
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) b.putFloat(v);
            return new T("F32", shape, b.array());
        }
    }

    /** Writes {@code [u64 len][header][data]} exactly as given. */
    public static Path raw(Path file, long declaredHeaderLength, String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(h).put(data);
        try {
            Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A valid file with the tensors in order, contiguous. */
    public static Path write(Path file, Map<String, T> tensors) {
        StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long off = 0;
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (var e : tensors.entrySet()) {
            T t = e.getValue();
            header.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(t.dtype).append("\",\"shape\":")
                    .append(java.util.Arrays.toString(t.shape).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(off).append(',').append(off + t.bytes.length).append("]}");
            off += t.bytes.length;
            data.writeBytes(t.bytes);
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) header.append(' '); // the reference writer pads to 8
        return raw(file, header.toString().getBytes(StandardCharsets.UTF_8).length, header.toString(), data.toByteArray());
    }

    public static Map<String, T> map() {
        return new LinkedHashMap<>();
    }
}
