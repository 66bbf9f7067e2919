package dev.distil4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.io.JsonInput;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@code .safetensors} file, memory-mapped and validated before any tensor is handed out.
 *
 * <p>Layout: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}}),
 * then the data area, to which the offsets are relative. Like the reference implementation,
 * the tensors must tile the data area exactly: no overlap, no gap, nothing past the end.
 */
public final class SafeTensors implements Weights {
    /** The reference implementation refuses headers above 100 MB; so do we (a corrupt length would otherwise allocate GBs). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;
    private final ByteBuffer data;          // the data area, mapped; null when the file is too big to map whole
    private final FileChannel bigFileChannel; // for files > 2 GiB: tensors are mapped one by one
    private final long dataStart;
    private final Map<String, FloatTensor> widened = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record Entry(TensorInfo info, long begin, long end) {}

    private SafeTensors(Path file, Map<String, Entry> entries, Map<String, String> metadata,
                        ByteBuffer data, FileChannel bigFileChannel, long dataStart) {
        this.file = file;
        this.entries = entries;
        this.metadata = metadata;
        this.data = data;
        this.bigFileChannel = bigFileChannel;
        this.dataStart = dataStart;
    }

    /** Maps and validates {@code file}. */
    public static SafeTensors open(Path file) {
        String where = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new WeightsException(where + ": not a safetensors file: " + size
                        + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > size - 8) {
                throw new WeightsException(where + ": header length " + Long.toUnsignedString(headerLen)
                        + " runs past the end of the file (" + size + " bytes); the file is truncated or not safetensors");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw new WeightsException(where + ": header length " + headerLen + " exceeds the 100 MB limit");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = parseHeader(where, utf8(where, header.array()), dataSize, metadata);

            ByteBuffer mapped = null;
            FileChannel keep = null;
            if (size <= Integer.MAX_VALUE) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
                mapped = m.slice((int) dataStart, (int) dataSize).order(ByteOrder.LITTLE_ENDIAN);
            } else {
                keep = FileChannel.open(file, StandardOpenOption.READ);
            }
            return new SafeTensors(file, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata),
                    mapped, keep, dataStart);
        } catch (IOException e) {
            throw new WeightsException(where + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += n;
        }
    }

    /** The header as the reference implementation reads it: strict UTF-8, no replacement characters. */
    private static String utf8(String where, byte[] header) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new WeightsException(where + ": header is not valid UTF-8");
        }
    }

    static Map<String, Entry> parseHeader(String where, String json, long dataSize, Map<String, String> metadata) {
        JsonNode root = JsonInput.parse(where + ": header", json, WeightsException::new);
        if (!(root instanceof ObjectNode obj)) {
            throw new WeightsException(where + ": header must be a JSON object");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            var field = it.next();
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                if (!node.isObject()) throw new WeightsException(where + ": __metadata__ must be an object of strings");
                node.fields().forEachRemaining(m -> {
                    if (!m.getValue().isTextual()) {
                        throw new WeightsException(where + ": __metadata__ \"" + m.getKey() + "\" must be a string, not "
                                + m.getValue().getNodeType().name().toLowerCase(java.util.Locale.ROOT));
                    }
                    metadata.put(m.getKey(), m.getValue().asText());
                });
                continue;
            }
            entries.put(name, parseEntry(where, name, node, dataSize));
        }
        checkTiling(where, entries, dataSize);
        return entries;
    }

    private static Entry parseEntry(String where, String name, JsonNode node, long dataSize) {
        String t = where + ": tensor '" + name + "'";
        if (!node.isObject()) throw new WeightsException(t + ": entry must be an object");
        JsonNode dt = node.get("dtype"), sh = node.get("shape"), off = node.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new WeightsException(t + ": missing or non-string \"dtype\"");
        DType dtype = DType.ofSafetensors(dt.asText());
        if (dtype == null) throw new WeightsException(t + ": unsupported dtype \"" + dt.asText() + "\"");
        if (sh == null || !sh.isArray()) throw new WeightsException(t + ": missing or non-array \"shape\"");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new WeightsException(t + ": shape entry " + i + " is not a non-negative integer: " + d);
            }
            shape[i] = d.asLong();
        }
        // canConvertToLong: 2^64 + 4 would otherwise be read as its low 64 bits, 4
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber() || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new WeightsException(t + ": \"data_offsets\" must be [begin, end], two integers within the file");
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin) {
            throw new WeightsException(t + ": bad data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataSize) {
            throw new WeightsException(t + ": data_offsets [" + begin + ", " + end + "] run past the data area ("
                    + dataSize + " bytes); the file is truncated");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape);
        long numel = TensorInfo.numelExact(shape); // exact: [2^32, 2^32] must not count as 0 elements
        if (numel < 0 || numel > Long.MAX_VALUE / dtype.bytes()) {
            throw new WeightsException(t + ": shape " + info.shapeString() + " is too large");
        }
        long expected = numel * dtype.bytes();
        if (end - begin != expected) {
            throw new WeightsException(t + ": holds " + (end - begin) + " bytes, but " + dtype + " "
                    + info.shapeString() + " needs " + expected);
        }
        return new Entry(info, begin, end);
    }

    private static void checkTiling(String where, Map<String, Entry> entries, long dataSize) {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long pos = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin < pos) {
                throw new WeightsException(where + ": tensors '" + prev.info.name() + "' and '" + e.info.name()
                        + "' overlap (bytes " + e.begin + ".." + pos + " of the data area)");
            }
            if (e.begin > pos) {
                throw new WeightsException(where + ": " + (e.begin - pos) + " unused bytes before tensor '"
                        + e.info.name() + "' (offset " + pos + "); the header does not describe this data area");
            }
            pos = e.end;
            prev = e;
        }
        if (pos != dataSize) {
            throw new WeightsException(where + ": the data area has " + dataSize + " bytes but the tensors cover "
                    + pos + (pos < dataSize ? "; trailing bytes are not described by the header" : ""));
        }
    }

    /** The file's {@code __metadata__} (e.g. {"format": "pt"}). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public Path file() {
        return file;
    }

    @Override
    public String source() {
        return file.toString();
    }

    @Override
    public Set<String> names() {
        checkOpen();
        return entries.keySet();
    }

    @Override
    public Optional<TensorInfo> info(String name) {
        checkOpen();
        Entry e = entries.get(name);
        return e == null ? Optional.empty() : Optional.of(e.info);
    }

    @Override
    public FloatTensor floats(String name) {
        checkOpen();
        Entry e = entries.get(name);
        if (e == null) throw new WeightsException(source() + ": no tensor '" + name + "'");
        DType dtype = e.info.dtype();
        if (dtype == DType.F32) {
            return new FloatTensor(name, e.info.shape(), bytes(e).asFloatBuffer().asReadOnlyBuffer());
        }
        if (dtype != DType.F16 && dtype != DType.BF16) {
            throw new WeightsException(source() + ": tensor '" + name + "' is " + dtype
                    + "; only F32, F16 and BF16 weights can be used");
        }
        return widened.computeIfAbsent(name, n -> new FloatTensor(n, e.info.shape(), widen(bytes(e), dtype)));
    }

    /** The raw little-endian bytes of a tensor (a view of the mapping). */
    public ByteBuffer bytes(String name) {
        checkOpen();
        Entry e = entries.get(name);
        if (e == null) throw new WeightsException(source() + ": no tensor '" + name + "'");
        return bytes(e);
    }

    private ByteBuffer bytes(Entry e) {
        long len = e.end - e.begin;
        if (data != null) {
            return data.slice((int) e.begin, (int) len).order(ByteOrder.LITTLE_ENDIAN);
        }
        if (len > Integer.MAX_VALUE) {
            throw new WeightsException(source() + ": tensor '" + e.info.name() + "' is over 2 GiB, which one buffer cannot hold");
        }
        try {
            return bigFileChannel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin, len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new WeightsException(source() + ": cannot map tensor '" + e.info.name() + "': " + ex.getMessage(), ex);
        }
    }

    static FloatBuffer widen(ByteBuffer src, DType dtype) {
        int n = src.remaining() / 2;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            short bits = src.getShort(2 * i);
            out[i] = dtype == DType.BF16 ? Float.intBitsToFloat((bits & 0xffff) << 16) : Float.float16ToFloat(bits);
        }
        return FloatBuffer.wrap(out).asReadOnlyBuffer();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(source() + " is closed");
    }

    @Override
    public void close() {
        closed = true;
        widened.clear();
        if (bigFileChannel != null) {
            try {
                bigFileChannel.close();
            } catch (IOException ignored) {
                // nothing to recover: the mapping is released with the last reference
            }
        }
    }
}
