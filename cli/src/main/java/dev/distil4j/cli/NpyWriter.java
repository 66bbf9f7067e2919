package dev.distil4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Streams float32 rows into a NumPy {@code .npy} file (format 1.0, little-endian, C order,
 * shape {@code (rows, width)}): {@code numpy.load(file)} gives the matrix. The header is written
 * with room to spare and rewritten with the final row count by {@link #commit()}; the file is an
 * {@link OutputFile}, there only once committed.
 */
final class NpyWriter implements AutoCloseable {
    private static final int HEADER_LEN = 128; // magic + version + length + dict, padded: a multiple of 64

    private final OutputFile file;
    private final OutputStream out;
    private int width = -1;
    private long rows;

    /** @param inputs the files the command reads, which {@code file} must not be */
    NpyWriter(Path file, Collection<Path> inputs) {
        this.file = OutputFile.create(file, inputs);
        this.out = this.file.stream();
        try {
            out.write(header(0, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** Every row is written: the header gets the row count, the file its content. */
    void commit() {
        file.writeAt(0, header(rows, width));
        file.commit();
    }

    /** Without {@link #commit()}, the file is not written. */
    @Override
    public void close() {
        file.close();
    }
}
