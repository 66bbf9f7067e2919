package dev.distil4j.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams float32 rows into a NumPy {@code .npy} file (format 1.0, little-endian, C order,
 * shape {@code (rows, width)}): {@code numpy.load(file)} gives the matrix. The header is written
 * with room to spare and rewritten with the final row count on {@link #close()}.
 */
final class NpyWriter implements AutoCloseable {
    private static final int HEADER_LEN = 128; // magic + version + length + dict, padded: a multiple of 64

    private final Path file;
    private final OutputStream out;
    private int width = -1;
    private long rows;

    NpyWriter(Path file) {
        this.file = file;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            out.write(header(0, 0));
        } catch (IOException e) {
            throw new UserException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Appends one row; every row must have the width of the first. */
    void write(float[] row) {
        if (width < 0) width = row.length;
        if (row.length != width) throw new IllegalStateException("row of " + row.length + " values in a .npy of width " + width);
        ByteBuffer b = ByteBuffer.allocate(4 * row.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : row) b.putFloat(x);
        try {
            out.write(b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rows++;
    }

    long rows() {
        return rows;
    }

    private static byte[] header(long rows, int width) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + Math.max(width, 0) + "), }";
        int pad = HEADER_LEN - 10 - dict.length() - 1;
        byte[] d = (dict + " ".repeat(pad) + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(HEADER_LEN).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) d.length).put(d);
        return b.array();
    }

    @Override
    public void close() {
        try {
            out.close();
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.write(header(rows, width));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
