package dev.distil4j.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes float tensors to a {@code .safetensors} file that the reference {@code safetensors}
 * library and transformers load: header JSON padded with spaces to a multiple of 8 bytes,
 * tensors tiling the data area in the order given, {@code __metadata__} (transformers insists on
 * {@code {"format": "pt"}}, which {@link #TRANSFORMERS_METADATA} provides).
 *
 * <p>Narrowing is round-to-nearest-even, as PyTorch's {@code tensor.to(torch.float16 / bfloat16)}:
 * float16 keeps 11 significant bits (relative error at most 2<sup>-11</sup>; values beyond ±65504
 * become ±infinity, as in PyTorch), bfloat16 keeps 8 (at most 2<sup>-8</sup>) with float32's
 * range. Reading the file back widens exactly, so writing an F16/BF16 checkpoint again at the same
 * dtype reproduces it bit for bit. The file is written beside its destination and renamed into
 * place, so a failed write never leaves a partial file under the final name.
 */
public final class SafeTensorsWriter {
    /** The metadata transformers requires to load a safetensors checkpoint. */
    public static final Map<String, String> TRANSFORMERS_METADATA = Map.of("format", "pt");

    private static final int CHUNK = 1 << 20; // floats per write

    /** A tensor to write; {@code data} is called once, when the tensor's turn comes. */
    public record Entry(String name, long[] shape, Supplier<FloatTensor> data) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        long numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private SafeTensorsWriter() {}

    /** An entry per tensor of {@code w}, under the same names and in the same order. */
    public static List<Entry> entriesOf(Weights w, Iterable<String> names) {
        List<Entry> out = new ArrayList<>();
        for (String n : names) {
            TensorInfo info = w.info(n).orElseThrow(() -> new WeightsException(w.source() + ": no tensor '" + n + "'"));
            out.add(new Entry(n, info.shape(), () -> w.floats(n)));
        }
        return out;
    }

    /**
     * Writes {@code entries} as {@code dtype} (F32, F16 or BF16) to {@code file}, atomically.
     *
     * @return the number of bytes written
     */
    public static long write(Path file, List<Entry> entries, DType dtype, Map<String, String> metadata) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("can only write F32, F16 or BF16, not " + dtype);
        }
        byte[] header = header(entries, dtype, metadata);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            long total;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (Entry e : entries) {
                    FloatTensor t = e.data.get();
                    if (t.numel() != e.numel()) {
                        throw new WeightsException(file + ": tensor '" + e.name + "' delivered " + t.numel()
                                + " values for shape " + java.util.Arrays.toString(e.shape));
                    }
                    writeTensor(ch, buf, t.data(), t.numel(), dtype);
                }
                ch.force(true);
                total = ch.size();
            }
            shareable(tmp);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return total;
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray hidden temp file is harmless
                }
            }
        }
    }

    static byte[] header(List<Entry> entries, DType dtype, Map<String, String> metadata) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = root.putObject("__metadata__");
            new java.util.TreeMap<>(metadata).forEach(m::put);
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (Entry e : entries) {
            if (!seen.add(e.name)) throw new IllegalArgumentException("tensor '" + e.name + "' listed twice");
            if (e.name.equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' is not a tensor name");
            long bytes = Math.multiplyExact(e.numel(), dtype.bytes());
            ObjectNode t = root.putObject(e.name);
            t.put("dtype", dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape) shape.add(d);
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] raw = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(raw, padded);
        java.util.Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    private static void writeTensor(FileChannel ch, ByteBuffer buf, FloatBuffer src, int numel, DType dtype) throws IOException {
        for (int start = 0; start < numel; start += CHUNK) {
            int n = Math.min(CHUNK, numel - start);
            buf.clear();
            for (int i = 0; i < n; i++) {
                float f = src.get(start + i);
                switch (dtype) {
                    case F32 -> buf.putFloat(f);
                    case F16 -> buf.putShort(Float.floatToFloat16(f));
                    default -> buf.putShort(toBFloat16(f));
                }
            }
            writeFully(ch, buf.flip());
        }
    }

    /** float32 → bfloat16, round to nearest even (NaN stays a quiet NaN), as PyTorch's {@code c10::BFloat16}. */
    public static short toBFloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x0040);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** bfloat16 → float32 (exact). */
    public static float fromBFloat16(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /**
     * Temp files are created owner-only (0600); give the finished file the permissions a file the
     * user creates gets (their umask), as huggingface_hub does for cache files.
     */
    static void shareable(Path file) throws IOException {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        Path probe = file.resolveSibling(file.getFileName() + ".perm");
        try {
            Files.newOutputStream(probe).close();
            Files.setPosixFilePermissions(file, Files.getPosixFilePermissions(probe));
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
