package dev.distil4j.train.distill;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The binary cache of a tokenised corpus, so that a corpus is tokenised once (the research project pickles
 * its {@code binarized_data.py} output for the same reason). Ids are stored as uint16 when the vocabulary has
 * fewer than 65,536 entries (as binarized_data.py chooses {@code np.uint16}), else int32.
 *
 * <p>Layout, little-endian: a 108-byte header — magic {@code "D4JTSEQ\0"}, int32 version (1), int32 bytes
 * per id (2 or 4), int32 vocabulary size, int32 reserved (0), int64 sequences, int64 tokens, 32-byte SHA-256
 * of the sources, 32-byte SHA-256 of the tokenizer, int32 CRC-32C of the preceding 104 bytes — then the
 * int32 length of each sequence, the ids, and an int32 CRC-32C of everything after the header. Every field
 * is checked on read; a file that fails a check raises {@link CorpusCacheException}.
 */
public final class CorpusCache {
    static final byte[] MAGIC = "D4JTSEQ\0".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 108;
    private static final int CHUNK = 1 << 20;

    private CorpusCache() {}

    /**
     * What a cache was built from; a cache whose key differs from the current one is stale.
     *
     * @param sourceDigest hex SHA-256 over the source files' contents, in order
     * @param tokenizerDigest hex SHA-256 of the tokenizer's full definition and the binarization recipe
     */
    public record Key(String sourceDigest, String tokenizerDigest) {
        public Key {
            checkDigest(sourceDigest);
            checkDigest(tokenizerDigest);
        }

        private static void checkDigest(String d) {
            if (d == null || d.length() != 64 || !d.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("a digest is 64 hex digits, got " + d);
            }
        }
    }

    /** The header of a cache file. */
    public record Header(int bytesPerId, int vocabSize, long sequences, long tokens, Key key) {}

    /** Reads and validates only the header (cheap: decides whether a cache is stale). */
    public static Header readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(file, ch);
        }
    }

    private static Header readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < HEADER_BYTES + 4) {
            throw new CorpusCacheException(file, "only " + size + " bytes, shorter than a header");
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, h, 0);
        h.flip();
        byte[] magic = new byte[8];
        h.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CorpusCacheException(file, "not a distil4j corpus cache: bad magic bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(h.array(), 0, HEADER_BYTES - 4);
        if ((int) crc.getValue() != h.getInt(HEADER_BYTES - 4)) {
            throw new CorpusCacheException(file, "header checksum mismatch");
        }
        int version = h.getInt();
        if (version != VERSION) {
            throw new CorpusCacheException(file, "format version " + version + ", this reader knows " + VERSION);
        }
        int bytesPerId = h.getInt();
        int vocabSize = h.getInt();
        h.getInt();
        long nSeq = h.getLong();
        long nTok = h.getLong();
        byte[] d1 = new byte[32];
        byte[] d2 = new byte[32];
        h.get(d1);
        h.get(d2);
        if (bytesPerId != 2 && bytesPerId != 4) {
            throw new CorpusCacheException(file, "bytes per id " + bytesPerId + ", expected 2 or 4");
        }
        if (vocabSize <= 0 || (bytesPerId == 2) != (vocabSize < 65536)) {
            throw new CorpusCacheException(file, "vocabulary size " + vocabSize + " with " + bytesPerId + "-byte ids");
        }
        if (nSeq < 0 || nTok < 0 || nSeq > Integer.MAX_VALUE - 8 || nTok > Integer.MAX_VALUE - 8) {
            throw new CorpusCacheException(file, "impossible counts: " + nSeq + " sequences, " + nTok + " tokens");
        }
        long expected = HEADER_BYTES + 4L * nSeq + (long) bytesPerId * nTok + 4;
        if (size != expected) {
            throw new CorpusCacheException(file, size + " bytes where the header announces " + expected
                    + (size < expected ? " (truncated?)" : ""));
        }
        HexFormat hex = HexFormat.of();
        return new Header(bytesPerId, vocabSize, nSeq, nTok, new Key(hex.formatHex(d1), hex.formatHex(d2)));
    }

    /** Reads and validates a whole cache file. */
    public static TokenSequences read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(file, ch);
            int nSeq = (int) header.sequences();
            int nTok = (int) header.tokens();
            int[] lengths = new int[nSeq];
            int[] ids = new int[nTok];
            CRC32C crc = new CRC32C();
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            long pos = HEADER_BYTES;
            long payloadEnd = ch.size() - 4;
            int li = 0;
            int ii = 0;
            int bpi = header.bytesPerId();
            while (pos < payloadEnd) {
                buf.clear();
                buf.limit((int) Math.min(CHUNK, payloadEnd - pos));
                readFully(ch, buf, pos);
                buf.flip();
                crc.update(buf.duplicate());
                pos += buf.remaining();
                while (buf.hasRemaining()) {
                    if (li < nSeq) {
                        lengths[li++] = buf.getInt();
                    } else {
                        ids[ii++] = bpi == 2 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
                    }
                }
            }
            ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, tail, payloadEnd);
            if ((int) crc.getValue() != tail.flip().getInt()) {
                throw new CorpusCacheException(file, "payload checksum mismatch");
            }
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] < 0 || ids[i] >= header.vocabSize()) {
                    throw new CorpusCacheException(file, "token id " + ids[i] + " outside the vocabulary of "
                            + header.vocabSize());
                }
            }
            try {
                return TokenSequences.ofFlat(ids, lengths);
            } catch (IllegalArgumentException e) {
                throw new CorpusCacheException(file, e.getMessage());
            }
        }
    }

    /**
     * Writes {@code sequences} atomically (a temporary file beside {@code file}, then a rename), so that an
     * interrupted write never leaves a half file under the cache's name.
     */
    public static void write(Path file, TokenSequences sequences, int vocabSize, Key key) throws IOException {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive");
        }
        int maxId = sequences.maxId();
        if (maxId >= vocabSize) {
            throw new IllegalArgumentException("token id " + maxId + " outside the vocabulary of " + vocabSize);
        }
        int bpi = vocabSize < 65536 ? 2 : 4;
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(VERSION).putInt(bpi).putInt(vocabSize).putInt(0)
                .putLong(sequences.size()).putLong(sequences.totalTokens());
        HexFormat hex = HexFormat.of();
        h.put(hex.parseHex(key.sourceDigest())).put(hex.parseHex(key.tokenizerDigest()));
        CRC32C hc = new CRC32C();
        hc.update(h.array(), 0, HEADER_BYTES - 4);
        h.putInt((int) hc.getValue());
        h.flip();

        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, h);
                CRC32C crc = new CRC32C();
                ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
                int n = sequences.size();
                for (int i = 0; i < n; i++) {
                    if (buf.remaining() < 4) {
                        flush(ch, buf, crc);
                    }
                    buf.putInt(sequences.length(i));
                }
                for (int id : sequences.flatIds()) {
                    if (buf.remaining() < 4) {
                        flush(ch, buf, crc);
                    }
                    if (bpi == 2) {
                        buf.putShort((short) id);
                    } else {
                        buf.putInt(id);
                    }
                }
                flush(ch, buf, crc);
                ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
                writeFully(ch, tail.flip());
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void flush(FileChannel ch, ByteBuffer buf, CRC32C crc) throws IOException {
        buf.flip();
        crc.update(buf.duplicate());
        writeFully(ch, buf);
        buf.clear();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }
}
