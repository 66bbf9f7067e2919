package dev.distil4j.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorFlow 1 tensor bundle, read in pure Java and named as TensorFlow names it
 * ({@code module/bert/encoder/layer_0/attention/self/query/kernel}). {@link TfCheckpoint} puts
 * Hugging Face names on top.
 *
 * <p>A bundle is {@code PREFIX.index} plus {@code PREFIX.data-SSSSS-of-NNNNN}. The index is a
 * LevelDB-format table: a 48-byte footer (metaindex and index block handles, magic
 * {@code 0xdb4775248b80fb57}), an index block whose values are handles of data blocks, data blocks
 * of prefix-compressed keys with restart points, and after every block a 5-byte trailer
 * (compression type, masked CRC-32C). Values are protobuf {@code BundleEntryProto}s; the empty key
 * holds the {@code BundleHeaderProto}. Tensor bytes are raw little-endian at {@code offset} in
 * shard {@code shard_id}. Every block CRC is checked on open; tensor CRCs on {@link #verify}.
 */
public final class TensorBundle implements AutoCloseable {
    private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
    private static final int FOOTER_BYTES = 48;

    /**
     * One tensor's index entry.
     *
     * @param tfDtype TensorFlow {@code DataType} number (1 float, 19 half, 14 bfloat16, ...)
     * @param dtype   the same as a {@link DType}, or null for types distil4j has no use for (strings, ...)
     * @param crc32c  masked CRC-32C of the tensor bytes, as stored
     */
    public record Entry(String name, int tfDtype, DType dtype, long[] shape, int shard, long offset, long size,
                        int crc32c) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The element count, or -1 when it does not fit in a long (see {@link TensorInfo#numelExact}). */
        public long numel() {
            return TensorInfo.numelExact(shape);
        }
    }

    private final Path indexFile;
    private final Map<String, Entry> entries;
    private final List<FileChannel> shards;
    private final List<ByteBuffer> mapped; // whole-shard mappings; an element is null when the shard is over 2 GiB

    private TensorBundle(Path indexFile, Map<String, Entry> entries, List<FileChannel> shards, List<ByteBuffer> mapped) {
        this.indexFile = indexFile;
        this.entries = entries;
        this.shards = shards;
        this.mapped = mapped;
    }

    /** Opens {@code PREFIX.index} and the data shards beside it. */
    public static TensorBundle open(Path indexFile) {
        String where = indexFile.toString();
        String fileName = indexFile.getFileName().toString();
        if (!fileName.endsWith(".index")) {
            throw new WeightsException(where + ": a TensorFlow bundle index must be named PREFIX.index");
        }
        byte[] index;
        try {
            index = Files.readAllBytes(indexFile);
        } catch (IOException e) {
            throw new WeightsException(where + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, ByteBuffer> table = readTable(where, ByteBuffer.wrap(index).order(ByteOrder.LITTLE_ENDIAN));
        ByteBuffer header = table.remove("");
        if (header == null) throw new WeightsException(where + ": no bundle header (empty key); not a TensorFlow bundle");
        int numShards = parseHeader(where, header);
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (var e : table.entrySet()) entries.put(e.getKey(), parseEntry(where, e.getKey(), e.getValue(), numShards));

        String prefix = fileName.substring(0, fileName.length() - ".index".length());
        List<FileChannel> channels = new ArrayList<>();
        List<ByteBuffer> maps = new ArrayList<>();
        try {
            for (int s = 0; s < numShards; s++) {
                Path data = indexFile.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix, s, numShards));
                if (!Files.isRegularFile(data)) {
                    throw new WeightsException(where + ": data shard " + data + " is missing");
                }
                FileChannel ch = FileChannel.open(data, StandardOpenOption.READ);
                channels.add(ch);
                long size = ch.size();
                maps.add(size <= Integer.MAX_VALUE
                        ? ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN) : null);
                for (Entry e : entries.values()) {
                    if (e.shard == s && e.offset + e.size > size) {
                        throw new WeightsException(where + ": tensor '" + e.name + "' (bytes " + e.offset + ".."
                                + (e.offset + e.size) + ") runs past the end of " + data + " (" + size
                                + " bytes); the data file is truncated");
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(channels);
            if (e instanceof WeightsException we) throw we;
            throw new WeightsException(where + ": cannot open data shards: " + e.getMessage(), e);
        }
        return new TensorBundle(indexFile, Collections.unmodifiableMap(entries), List.copyOf(channels),
                Collections.unmodifiableList(maps));
    }

    public Path indexFile() {
        return indexFile;
    }

    /** Every entry, in key order (the table is sorted). */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The raw bytes of a tensor: a little-endian view of the mapped data file. */
    public ByteBuffer bytes(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new WeightsException(indexFile + ": no tensor '" + name + "'");
        if (e.size > Integer.MAX_VALUE) {
            throw new WeightsException(indexFile + ": tensor '" + name + "' is over 2 GiB, which one buffer cannot hold");
        }
        ByteBuffer whole = mapped.get(e.shard);
        if (whole != null) return whole.slice((int) e.offset, (int) e.size).order(ByteOrder.LITTLE_ENDIAN);
        try {
            return shards.get(e.shard).map(FileChannel.MapMode.READ_ONLY, e.offset, e.size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new WeightsException(indexFile + ": cannot map tensor '" + name + "': " + ex.getMessage(), ex);
        }
    }

    /** Checks the stored CRC-32C of a tensor's bytes; throws naming the tensor when they differ. */
    public void verify(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new WeightsException(indexFile + ": no tensor '" + name + "'");
        CRC32C crc = new CRC32C();
        crc.update(bytes(name));
        int actual = mask((int) crc.getValue());
        if (actual != e.crc32c) {
            throw new WeightsException(indexFile + ": tensor '" + name + "' fails its CRC-32C check (stored "
                    + Integer.toHexString(e.crc32c) + ", data gives " + Integer.toHexString(actual)
                    + "); the data file is corrupt");
        }
    }

    @Override
    public void close() {
        closeAll(shards);
    }

    private static void closeAll(List<FileChannel> channels) {
        for (FileChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only: nothing to flush
            }
        }
    }

    // ---- LevelDB table ----

    /** LevelDB's CRC mask: stored CRCs are rotated and offset so that CRCs of CRCs stay distinctive. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static Map<String, ByteBuffer> readTable(String where, ByteBuffer file) {
        int size = file.capacity();
        if (size < FOOTER_BYTES) throw new WeightsException(where + ": " + size + " bytes, too short for a table footer");
        long magic = file.getLong(size - 8);
        if (magic != TABLE_MAGIC) {
            throw new WeightsException(where + ": bad table magic " + Long.toHexString(magic)
                    + "; not a TensorFlow checkpoint index");
        }
        ByteBuffer footer = file.slice(size - FOOTER_BYTES, FOOTER_BYTES - 8);
        long[] metaHandle = {varint64(where, footer), varint64(where, footer)};
        long[] indexHandle = {varint64(where, footer), varint64(where, footer)};
        if (metaHandle[0] < 0) throw new WeightsException(where + ": corrupt footer");
        ByteBuffer indexBlock = block(where, file, indexHandle, "index block");
        Map<String, ByteBuffer> out = new LinkedHashMap<>();
        for (var ie : blockEntries(where, indexBlock).entrySet()) {
            ByteBuffer hv = ie.getValue();
            long[] handle = {varint64(where, hv), varint64(where, hv)};
            out.putAll(blockEntries(where, block(where, file, handle, "data block")));
        }
        return out;
    }

    private static ByteBuffer block(String where, ByteBuffer file, long[] handle, String what) {
        long off = handle[0], len = handle[1];
        if (off < 0 || len < 0 || off + len + 5 > file.capacity() - FOOTER_BYTES) {
            throw new WeightsException(where + ": " + what + " handle [" + off + ", " + len + "] lies outside the file");
        }
        int o = (int) off, n = (int) len;
        byte type = file.get(o + n);
        CRC32C crc = new CRC32C();
        crc.update(file.slice(o, n + 1));
        int stored = file.getInt(o + n + 1);
        if (mask((int) crc.getValue()) != stored) {
            throw new WeightsException(where + ": " + what + " at byte " + o + " fails its CRC-32C check; the index is corrupt");
        }
        if (type == 1) {
            throw new WeightsException(where + ": " + what + " is Snappy-compressed, which distil4j does not read "
                    + "(TensorFlow writes bundles uncompressed; re-save the checkpoint with tf.train.Saver)");
        }
        if (type != 0) throw new WeightsException(where + ": " + what + " has unknown compression type " + type);
        return file.slice(o, n).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Decodes a block: keys are stored as (shared prefix length, suffix), values raw. */
    private static Map<String, ByteBuffer> blockEntries(String where, ByteBuffer b) {
        int n = b.capacity();
        if (n < 4) throw new WeightsException(where + ": block of " + n + " bytes is too short");
        int restarts = b.getInt(n - 4);
        long end = n - 4 - 4L * restarts;
        if (restarts < 0 || end < 0) throw new WeightsException(where + ": corrupt block restart array");
        Map<String, ByteBuffer> out = new LinkedHashMap<>();
        byte[] key = new byte[0];
        b.position(0);
        while (b.position() < end) {
            int shared = (int) varint64(where, b), nonShared = (int) varint64(where, b), valueLen = (int) varint64(where, b);
            if (shared > key.length || nonShared < 0 || valueLen < 0 || b.position() + (long) nonShared + valueLen > end) {
                throw new WeightsException(where + ": corrupt block entry at byte " + b.position());
            }
            byte[] next = Arrays.copyOf(key, shared + nonShared);
            b.get(next, shared, nonShared);
            key = next;
            out.put(new String(key, java.nio.charset.StandardCharsets.UTF_8), b.slice(b.position(), valueLen).order(ByteOrder.LITTLE_ENDIAN));
            b.position(b.position() + valueLen);
        }
        return out;
    }

    private static long varint64(String where, ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!b.hasRemaining()) throw new WeightsException(where + ": truncated varint");
            int x = b.get() & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if (x < 0x80) return v;
        }
        throw new WeightsException(where + ": varint longer than 10 bytes");
    }

    // ---- protobuf ----

    private static int parseHeader(String where, ByteBuffer b) {
        int numShards = 1, endianness = 0;
        b.position(0);
        while (b.hasRemaining()) {
            long tag = varint64(where, b);
            int field = (int) (tag >>> 3), wire = (int) (tag & 7);
            if (field == 1 && wire == 0) numShards = (int) varint64(where, b);
            else if (field == 2 && wire == 0) endianness = (int) varint64(where, b);
            else skip(where, b, wire);
        }
        if (endianness != 0) throw new WeightsException(where + ": big-endian bundles are not supported");
        if (numShards < 1 || numShards > 100_000) throw new WeightsException(where + ": bad shard count " + numShards);
        return numShards;
    }

    private static Entry parseEntry(String where, String name, ByteBuffer b, int numShards) {
        int dtype = 0, shard = 0, crc = 0;
        long offset = 0, size = 0;
        List<Long> dims = new ArrayList<>();
        boolean sliced = false;
        b.position(0);
        while (b.hasRemaining()) {
            long tag = varint64(where, b);
            int field = (int) (tag >>> 3), wire = (int) (tag & 7);
            switch (field) {
                case 1 -> dtype = (int) varint64(where, b);
                case 2 -> dims = parseShape(where, name, lengthDelimited(where, b));
                case 3 -> shard = (int) varint64(where, b);
                case 4 -> offset = varint64(where, b);
                case 5 -> size = varint64(where, b);
                case 6 -> {
                    if (wire != 5) throw new WeightsException(where + ": tensor '" + name + "': bad crc32c field");
                    crc = b.getInt();
                }
                case 7 -> {
                    sliced = true;
                    skip(where, b, wire);
                }
                default -> skip(where, b, wire);
            }
        }
        String t = where + ": tensor '" + name + "'";
        if (sliced) throw new WeightsException(t + " is stored as partitioned slices, which are not supported");
        if (shard < 0 || shard >= numShards) throw new WeightsException(t + ": shard " + shard + " of " + numShards);
        if (offset < 0 || size < 0) throw new WeightsException(t + ": bad offset/size " + offset + "/" + size);
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        DType dt = dtypeOf(dtype);
        Entry e = new Entry(name, dtype, dt, shape, shard, offset, size, crc);
        if (dt != null) {
            for (long d : shape) if (d < 0) throw new WeightsException(t + ": unknown dimension in shape " + dims);
            long numel = e.numel();
            // divide rather than multiply: the shape comes from the file and numel * bytes may overflow
            if (numel < 0 || numel > Long.MAX_VALUE / dt.bytes() || numel * dt.bytes() != size) {
                throw new WeightsException(t + ": holds " + size + " bytes, but " + dt + " " + dims + " needs "
                        + (numel < 0 || numel > Long.MAX_VALUE / dt.bytes() ? "more than 2^63" : numel * dt.bytes()));
            }
        }
        return e;
    }

    private static List<Long> parseShape(String where, String name, ByteBuffer b) {
        List<Long> dims = new ArrayList<>();
        while (b.hasRemaining()) {
            long tag = varint64(where, b);
            int field = (int) (tag >>> 3), wire = (int) (tag & 7);
            if (field == 2 && wire == 2) {
                ByteBuffer dim = lengthDelimited(where, b);
                long size = 0;
                while (dim.hasRemaining()) {
                    long dt = varint64(where, dim);
                    if ((dt >>> 3) == 1 && (dt & 7) == 0) size = varint64(where, dim);
                    else skip(where, dim, (int) (dt & 7));
                }
                dims.add(size);
            } else if (field == 3 && wire == 0 && varint64(where, b) != 0) {
                throw new WeightsException(where + ": tensor '" + name + "' has unknown rank");
            } else if (!(field == 3 && wire == 0)) {
                skip(where, b, wire);
            }
        }
        return dims;
    }

    private static ByteBuffer lengthDelimited(String where, ByteBuffer b) {
        long len = varint64(where, b);
        if (len < 0 || len > b.remaining()) throw new WeightsException(where + ": truncated protobuf field");
        ByteBuffer out = b.slice(b.position(), (int) len).order(ByteOrder.LITTLE_ENDIAN);
        b.position(b.position() + (int) len);
        return out;
    }

    private static void skip(String where, ByteBuffer b, int wire) {
        switch (wire) {
            case 0 -> varint64(where, b);
            case 1 -> b.position(b.position() + 8);
            case 2 -> lengthDelimited(where, b);
            case 5 -> b.position(b.position() + 4);
            default -> throw new WeightsException(where + ": unsupported protobuf wire type " + wire);
        }
    }

    /** TensorFlow {@code DataType} numbers (types.proto). */
    static DType dtypeOf(int tf) {
        return switch (tf) {
            case 1 -> DType.F32;
            case 2 -> DType.F64;
            case 3 -> DType.I32;
            case 4 -> DType.U8;
            case 5 -> DType.I16;
            case 6 -> DType.I8;
            case 9 -> DType.I64;
            case 10 -> DType.BOOL;
            case 14 -> DType.BF16;
            case 19 -> DType.F16;
            default -> null;
        };
    }
}
