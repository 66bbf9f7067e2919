package dev.distil4j.weights;

import dev.distil4j.io.InputLimits;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@code pytorch_model.bin} as {@code torch.save} writes it since PyTorch 1.6: a zip with
 * {@code ROOT/data.pkl} (the state dict, pickled) and one entry {@code ROOT/data/KEY} per storage.
 * The pickle is read by {@link RestrictedUnpickler}, so loading never runs code; storages are
 * stored uncompressed and are memory-mapped in place. The legacy (pre-1.6) non-zip format is
 * refused with a message saying how to convert it.
 */
public final class TorchCheckpoint implements Weights {

    private record Storage(String key, DType dtype, long numel, ZipIndex.Entry entry) {}

    /** {@code span}: how many storage elements from {@code offset} the view touches (0 when empty). */
    private record Tensor(TensorInfo info, Storage storage, long offset, long[] stride, long span, boolean contiguous) {}

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer whole; // the file, mapped; null when over 2 GiB (then storages are mapped one by one)
    private final Map<String, Tensor> tensors;
    private final Map<String, FloatTensor> copies = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private TorchCheckpoint(Path file, FileChannel channel, ByteBuffer whole, Map<String, Tensor> tensors) {
        this.file = file;
        this.channel = channel;
        this.whole = whole;
        this.tensors = tensors;
    }

    /** Opens and validates {@code file}, within {@link InputLimits#fromSystemProperties()}. */
    public static TorchCheckpoint open(Path file) {
        return open(file, InputLimits.fromSystemProperties());
    }

    static TorchCheckpoint open(Path file, InputLimits limits) {
        String where = file.toString();
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            if (!ZipIndex.looksLikeZip(ch)) {
                throw new WeightsException(where + ": " + legacyMessage(ch));
            }
            Map<String, ZipIndex.Entry> zip = ZipIndex.read(file, ch);
            ZipIndex.Entry pkl = zip.values().stream()
                    .filter(e -> e.name().endsWith("/data.pkl") && e.name().indexOf('/') == e.name().length() - 9)
                    .findFirst()
                    .orElseThrow(() -> new WeightsException(where + ": zip without ROOT/data.pkl; not a torch.save checkpoint"));
            String root = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
            ZipIndex.Entry order = zip.get(root + "byteorder");
            if (order != null && !new String(ZipIndex.bytes(where, ch, order, 16, limits), StandardCharsets.US_ASCII)
                    .trim().equals("little")) {
                throw new WeightsException(where + ": big-endian checkpoints are not supported");
            }
            byte[] pickle = ZipIndex.bytes(where, ch, pkl, limits.maxPickleBytes(), limits);
            Map<String, Storage> storages = new LinkedHashMap<>();
            Object state = RestrictedUnpickler.load(where + " (" + pkl.name() + ")", pickle,
                    pid -> persistentLoad(where, zip, root, storages, pid));
            Map<String, Tensor> tensors = stateDict(where, state);
            long size = ch.size();
            ByteBuffer whole = size <= Integer.MAX_VALUE
                    ? ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN) : null;
            return new TorchCheckpoint(file, ch, whole, tensors);
        } catch (IOException e) {
            close(ch);
            throw new WeightsException(where + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    private static String legacyMessage(FileChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(2);
        ch.read(head, 0);
        String kind = head.get(0) == (byte) 0x80 ? "PyTorch's legacy (pre-1.6, non-zip) pickle format"
                : "not a zip-format PyTorch checkpoint";
        return kind + ", which distil4j does not read. Convert it once with Python: "
                + "python -c \"import torch; sd = torch.load('pytorch_model.bin', map_location='cpu', weights_only=True); "
                + "from safetensors.torch import save_file; save_file(sd, 'model.safetensors', metadata={'format': 'pt'})\"";
    }

    private static Object persistentLoad(String where, Map<String, ZipIndex.Entry> zip, String root,
                                         Map<String, Storage> storages, Object pid) {
        // ('storage', storage_type, key, location, numel)
        if (!(pid instanceof RestrictedUnpickler.Tuple t) || t.size() != 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof RestrictedUnpickler.Global type) || !(t.get(2) instanceof String key)
                || !(t.get(4) instanceof Long numel)) {
            throw new WeightsException(where + ": unexpected persistent id " + RestrictedUnpickler.describe(pid)
                    + " (expected ('storage', type, key, location, size))");
        }
        DType dtype = RestrictedUnpickler.STORAGE_TYPES.get(type.qualified());
        if (dtype == null) throw new WeightsException(where + ": '" + type.qualified() + "' is not a storage type");
        return storages.computeIfAbsent(key, k -> {
            ZipIndex.Entry e = zip.get(root + "data/" + k);
            if (e == null) throw new WeightsException(where + ": storage '" + k + "' is missing (no " + root + "data/" + k + ")");
            if (e.method() != ZipIndex.STORED) {
                throw new WeightsException(where + ": storage '" + k + "' is compressed; torch.save stores storages uncompressed");
            }
            // divide rather than multiply: numel comes from the file and numel * bytes may overflow
            if (numel < 0 || numel > e.size() / dtype.bytes()) {
                throw new WeightsException(where + ": storage '" + k + "' holds " + e.size() + " bytes, but "
                        + numel + " " + dtype + " elements need " + (numel < 0 ? "a non-negative count" : "more"));
            }
            return new Storage(k, dtype, numel, e);
        });
    }

    private static Map<String, Tensor> stateDict(String where, Object state) {
        if (state instanceof Map<?, ?> m && !m.isEmpty() && m.values().stream().noneMatch(v -> v instanceof RestrictedUnpickler.TensorRef)
                && m.get("state_dict") instanceof Map<?, ?> inner) {
            state = inner; // a training checkpoint {"state_dict": {...}, ...}
        }
        if (!(state instanceof Map<?, ?> dict)) {
            throw new WeightsException(where + ": the pickle holds a " + (state == null ? "None" : state.getClass().getSimpleName())
                    + ", not a state dict");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof RestrictedUnpickler.TensorRef ref)) continue;
            if (!(ref.storage() instanceof Storage s)) throw new WeightsException(where + ": tensor '" + name + "' has no storage");
            long[] shape = ref.shape(), stride = ref.stride();
            if (stride.length != shape.length) throw new WeightsException(where + ": tensor '" + name + "': stride/shape rank differ");
            boolean contiguous = true;
            long expect = 1;
            for (int i = shape.length - 1; i >= 0; i--) {
                if (shape[i] < 0 || stride[i] < 0) throw new WeightsException(where + ": tensor '" + name + "': negative shape/stride");
                if (shape[i] != 1 && stride[i] != expect) contiguous = false;
                expect *= shape[i]; // only compared while it is exact: numel below checks the same product
            }
            long numel = TensorInfo.numelExact(shape);
            if (numel < 0) {
                throw new WeightsException(where + ": tensor '" + name + "' " + Arrays.toString(shape) + " has more elements than a 64-bit count");
            }
            if (ref.offset() < 0) throw new WeightsException(where + ": tensor '" + name + "': negative storage offset");
            long span = 0; // an empty view touches nothing, wherever it points
            if (numel > 0) {
                // the last element the view touches, offset + sum((shape - 1) * stride), in exact arithmetic:
                // strides near 2^62 must not wrap around into the storage
                long last;
                try {
                    last = ref.offset();
                    for (int i = 0; i < shape.length; i++) last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
                } catch (ArithmeticException overflow) {
                    last = Long.MAX_VALUE;
                }
                if (last >= s.numel) {
                    throw new WeightsException(where + ": tensor '" + name + "' " + Arrays.toString(shape) + " (offset "
                            + ref.offset() + ", stride " + Arrays.toString(stride) + ") reaches past the end of its storage ("
                            + s.numel + " elements)");
                }
                span = last - ref.offset() + 1;
            }
            out.put(name, new Tensor(new TensorInfo(name, s.dtype, shape), s, ref.offset(), stride, span, contiguous));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public String source() {
        return file.toString();
    }

    @Override
    public Set<String> names() {
        checkOpen();
        return tensors.keySet();
    }

    @Override
    public Optional<TensorInfo> info(String name) {
        checkOpen();
        Tensor t = tensors.get(name);
        return t == null ? Optional.empty() : Optional.of(t.info);
    }

    @Override
    public FloatTensor floats(String name) {
        checkOpen();
        Tensor t = tensors.get(name);
        if (t == null) throw new WeightsException(source() + ": no tensor '" + name + "'");
        DType dtype = t.info.dtype();
        if (!dtype.widensToFloat()) {
            throw new WeightsException(source() + ": tensor '" + name + "' is " + dtype + "; only F32, F16 and BF16 weights can be used");
        }
        // one buffer, one float[]: a view whose elements or bytes pass 2^31 cannot be handed out
        if (t.info.numel() > Integer.MAX_VALUE - 8 || t.span > Integer.MAX_VALUE / dtype.bytes()) {
            throw new WeightsException(source() + ": tensor '" + name + "' " + t.info.shapeString()
                    + " is larger than one Java array or buffer can hold");
        }
        if (t.contiguous && dtype == DType.F32) {
            return new FloatTensor(name, t.info.shape(), region(t).asFloatBuffer().asReadOnlyBuffer());
        }
        return copies.computeIfAbsent(name, n -> new FloatTensor(n, t.info.shape(), gather(t)));
    }

    /** The bytes the view touches; stateDict checked that they lie inside the storage, so nothing here overflows. */
    private ByteBuffer region(Tensor t) {
        if (t.span == 0) return ByteBuffer.allocate(0);
        long begin = t.storage.entry.dataOffset() + t.offset * t.info.dtype().bytes();
        long len = t.span * t.info.dtype().bytes();
        if (whole != null) return whole.slice((int) begin, (int) len).order(ByteOrder.LITTLE_ENDIAN);
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, begin, len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new WeightsException(source() + ": cannot map tensor '" + t.info.name() + "': " + e.getMessage(), e);
        }
    }

    /** Widens and/or de-strides into a fresh row-major float array. */
    private FloatBuffer gather(Tensor t) {
        long[] shape = t.info.shape();
        int numel = (int) t.info.numel(); // floats() checked the size
        DType dtype = t.info.dtype();
        ByteBuffer src = region(t);
        float[] out = new float[numel];
        int[] idx = new int[shape.length];
        for (int i = 0; i < numel; i++) {
            long pos = 0;
            for (int d = 0; d < shape.length; d++) pos += idx[d] * t.stride[d];
            int p = (int) pos;
            out[i] = switch (dtype) {
                case F32 -> src.getFloat(4 * p);
                case F16 -> Float.float16ToFloat(src.getShort(2 * p));
                default -> Float.intBitsToFloat((src.getShort(2 * p) & 0xffff) << 16);
            };
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
        return FloatBuffer.wrap(out).asReadOnlyBuffer();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(source() + " is closed");
    }

    @Override
    public void close() {
        closed = true;
        copies.clear();
        close(channel);
    }

    private static void close(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only
        }
    }
}
