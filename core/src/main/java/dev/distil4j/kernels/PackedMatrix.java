package dev.distil4j.kernels;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A matrix {@code W} [rows = n, cols = k] (a Linear weight as Hugging Face stores it: [out, in])
 * rearranged once for {@link Kernels#matmul}: in panels of {@link #panel()} consecutive rows of W
 * (= output columns of the product), each panel stored depth-major, so that the {@code panel}
 * weights one step of the dot products needs lie side by side:
 *
 * <pre>
 *   W[j][c]  is at  data[(j / panel) * k * panel + c * panel + j % panel]
 * </pre>
 *
 * The last panel is zero-padded to full width. This is BLAS's "packed B": the micro-kernel reads
 * it strictly sequentially. Panel width 1 is the plain row-major layout (the scalar kernels use it).
 *
 * <p>Memory: a copy of the weights on the heap (for DistilBERT-base's encoder, 170 MB), made once
 * at load; the memory-mapped original is not read again by the encoder.
 */
public final class PackedMatrix {
    private final float[] data;
    private final int rows;
    private final int cols;
    private final int panel;

    PackedMatrix(float[] data, int rows, int cols, int panel) {
        if (panel < 1) throw new IllegalArgumentException("panel width must be >= 1, not " + panel);
        if ((long) paddedRows(rows, panel) * cols > data.length) {
            throw new IllegalArgumentException("packed buffer of " + data.length + " floats is too small for "
                    + rows + "x" + cols + " in panels of " + panel);
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.panel = panel;
    }

    /** Rows of W: the output features, {@code n}. */
    public int rows() {
        return rows;
    }

    /** Columns of W: the input features (the depth of the dot products), {@code k}. */
    public int cols() {
        return cols;
    }

    /** Rows of W per panel. */
    public int panel() {
        return panel;
    }

    /** The packed values (shared, not copied): kernels read it directly. */
    float[] data() {
        return data;
    }

    /** {@code W[j][c]}, for tests and the scalar reference. */
    public float get(int j, int c) {
        return data[(j / panel) * cols * panel + c * panel + j % panel];
    }

    static int paddedRows(int rows, int panel) {
        return (rows + panel - 1) / panel * panel;
    }

    /** Floats needed to pack an [rows, cols] matrix in panels of {@code panel}. */
    public static int size(int rows, int cols, int panel) {
        return Math.multiplyExact(paddedRows(rows, panel), cols);
    }

    /** Packs the weights {@code parts}, stacked by rows (all with the same column count), into a new matrix. */
    public static PackedMatrix pack(int panel, WeightMatrix... parts) {
        int cols = parts[0].cols(), rows = 0;
        for (WeightMatrix w : parts) {
            if (w.cols() != cols) throw new IllegalArgumentException("stacked weights need equal column counts: " + w.cols() + " vs " + cols);
            rows += w.rows();
        }
        float[] data = new float[size(rows, cols, panel)];
        float[] row = new float[cols];
        int j = 0;
        for (WeightMatrix w : parts) {
            FloatBuffer b = w.data();
            for (int r = 0; r < w.rows(); r++, j++) {
                int base = (j / panel) * cols * panel + j % panel;
                if (panel == 1) {
                    b.get(r * cols, data, base, cols);
                } else {
                    b.get(r * cols, row, 0, cols);
                    for (int c = 0; c < cols; c++) data[base + c * panel] = row[c];
                }
            }
        }
        return new PackedMatrix(data, rows, cols, panel);
    }

    /**
     * Packs {@code n} rows of length {@code k} taken from {@code src} (row {@code j} starts at
     * {@code off + j * ld}) into {@code buf}: W = those rows. Attention keys: scores = Q K^T.
     */
    public static PackedMatrix packRows(float[] src, int off, int ld, int n, int k, int panel, float[] buf) {
        int size = size(n, k, panel);
        if (panel == 1) {
            for (int j = 0; j < n; j++) System.arraycopy(src, off + j * ld, buf, j * k, k);
        } else {
            for (int j = 0; j < n; j++) {
                int base = (j / panel) * k * panel + j % panel, s = off + j * ld;
                for (int c = 0; c < k; c++) buf[base + c * panel] = src[s + c];
            }
            int padFrom = n % panel;
            if (padFrom != 0) {
                int base = (n / panel) * k * panel;
                for (int c = 0; c < k; c++) Arrays.fill(buf, base + c * panel + padFrom, base + (c + 1) * panel, 0f);
            }
        }
        return new PackedMatrix(buf, n, k, panel).checkSize(size);
    }

    /**
     * Packs the transpose of a [k, n] block of {@code src} (row {@code c} starts at {@code off + c * ld})
     * into {@code buf}: W[j][c] = src[off + c * ld + j]. Attention values: context = P V.
     */
    public static PackedMatrix packColumns(float[] src, int off, int ld, int n, int k, int panel, float[] buf) {
        int size = size(n, k, panel);
        for (int p = 0; p * panel < n; p++) {
            int width = Math.min(panel, n - p * panel), base = p * k * panel;
            for (int c = 0; c < k; c++) {
                System.arraycopy(src, off + c * ld + p * panel, buf, base + c * panel, width);
                if (width < panel) Arrays.fill(buf, base + c * panel + width, base + (c + 1) * panel, 0f);
            }
        }
        return new PackedMatrix(buf, n, k, panel).checkSize(size);
    }

    private PackedMatrix checkSize(int size) {
        if (data.length < size) throw new IllegalArgumentException("buffer too small: " + data.length + " < " + size);
        return this;
    }
}
