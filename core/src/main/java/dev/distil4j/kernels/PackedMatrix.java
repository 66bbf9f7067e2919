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
    private final byte[] quantized;
    private final float[] scales;
    /** bfloat16 weights, two per int: see {@link #bf16Slot}. */
    private final int[] bf16;
    /** Where this matrix's first element is in its array (a {@link Slab} holds many matrices). */
    private final int offset;
    private final int rows;
    private final int cols;
    private final int panel;

    PackedMatrix(float[] data, int rows, int cols, int panel) {
        this(data, null, null, null, 0, rows, cols, panel);
    }

    /** Float32 values packed from {@code data[offset]} on. */
    PackedMatrix(float[] data, int offset, int rows, int cols, int panel) {
        this(data, null, null, null, offset, rows, cols, panel);
    }

    private PackedMatrix(float[] data, byte[] quantized, float[] scales, int[] bf16, int offset, int rows, int cols, int panel) {
        if (panel < 1) throw new IllegalArgumentException("panel width must be >= 1, not " + panel);
        int length = data != null ? data.length : quantized != null ? quantized.length : 2 * bf16.length;
        if ((long) paddedRows(rows, panel) * cols > length - (bf16 != null ? 2L : 1L) * offset) {
            throw new IllegalArgumentException("packed buffer of " + length + " values is too small for "
                    + rows + "x" + cols + " in panels of " + panel);
        }
        this.data = data;
        this.quantized = quantized;
        this.scales = scales;
        this.bf16 = bf16;
        this.offset = offset;
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

    /** The index of this matrix's first element in {@link #data()}, {@link #bf16()} or {@link #quantized()}. */
    int offset() {
        return offset;
    }

    /** Rows of W per panel. */
    public int panel() {
        return panel;
    }

    /** The packed values (shared, not copied): kernels read it directly. Null when {@link #isQuantized()}. */
    float[] data() {
        return data;
    }

    /**
     * True for int8 weights: {@code W[j][c] = quantized[...] * scales[j]} (symmetric, one scale per
     * row of W, i.e. per output feature). Kernels multiply by the int8 values and apply the scale
     * once per output, in the epilogue.
     */
    public boolean isQuantized() {
        return quantized != null;
    }

    /** True for bfloat16 weights: the top 16 bits of each float32, rounded to nearest even. */
    public boolean isBf16() {
        return bf16 != null;
    }

    int[] bf16() {
        return bf16;
    }

    byte[] quantized() {
        return quantized;
    }

    float[] scales() {
        return scales;
    }

    /** {@code W[j][c]} (dequantized when int8), for tests and the scalar reference. */
    public float get(int j, int c) {
        int i = (j / panel) * cols * panel + c * panel + j % panel;
        if (bf16 != null) {
            int slot = bf16Slot(i, panel), pair = bf16[offset + (slot >> 1)];
            return Float.intBitsToFloat((slot & 1) == 0 ? pair << 16 : pair & 0xffff0000);
        }
        return quantized != null ? quantized[offset + i] * scales[j] : data[offset + i];
    }

    /** Elements of the format's array type that {@code parts} (stacked by rows) take packed in panels of {@code panel}. */
    public static int storedLength(WeightFormat format, int panel, WeightMatrix... parts) {
        return storedLength(format, stackedRows(parts), parts[0].cols(), panel);
    }

    private static int storedLength(WeightFormat format, int rows, int cols, int panel) {
        int size = size(rows, cols, panel);
        return format == WeightFormat.BF16 ? (size + 1) / 2 : size;
    }

    /** Rows of {@code parts} stacked, checking they agree on the column count. */
    private static int stackedRows(WeightMatrix... parts) {
        int rows = 0;
        for (WeightMatrix w : parts) {
            if (w.cols() != parts[0].cols()) {
                throw new IllegalArgumentException("stacked weights need equal column counts: " + w.cols() + " vs " + parts[0].cols());
            }
            rows += w.rows();
        }
        return rows;
    }

    /**
     * Packs {@code parts} (stacked by rows, all with the same column count) in {@code format} into
     * {@code slab} (at its next 64-byte boundary), or into an array of their own when {@code slab}
     * is null. Int8: one scale per row of W (output feature), max |W[j][.]| / 127, values rounded to
     * nearest. Bf16: rounded to nearest even, two to an int ({@link #bf16Slot}).
     */
    public static PackedMatrix pack(WeightFormat format, int panel, Slab slab, WeightMatrix... parts) {
        int cols = parts[0].cols(), rows = stackedRows(parts);
        int length = storedLength(format, rows, cols, panel);
        Slab into = slab != null ? slab : Slab.of(format, length);
        int offset = into.take(length);
        float[] row = new float[cols];
        float[] scales = format == WeightFormat.INT8 ? new float[rows] : null;
        int j = 0;
        for (WeightMatrix w : parts) {
            FloatBuffer b = w.data();
            for (int r = 0; r < w.rows(); r++, j++) {
                b.get(r * cols, row, 0, cols);
                int base = (j / panel) * cols * panel + j % panel;
                switch (format) {
                    case FLOAT32 -> {
                        float[] data = into.floats();
                        for (int c = 0; c < cols; c++) data[offset + base + c * panel] = row[c];
                    }
                    case BF16 -> {
                        int[] h = into.ints();
                        for (int c = 0; c < cols; c++) {
                            int slot = bf16Slot(base + c * panel, panel), bits = toBf16(row[c]) & 0xffff;
                            h[offset + (slot >> 1)] |= (slot & 1) == 0 ? bits : bits << 16;
                        }
                    }
                    case INT8 -> {
                        float max = 0;
                        for (float v : row) max = Math.max(max, Math.abs(v));
                        float scale = max == 0 ? 1f : max / 127f;
                        scales[j] = scale;
                        byte[] q = into.bytes();
                        for (int c = 0; c < cols; c++) {
                            q[offset + base + c * panel] = (byte) Math.max(-127, Math.min(127, Math.round(row[c] / scale)));
                        }
                    }
                }
            }
        }
        return new PackedMatrix(into.floats(), into.bytes(), scales, into.ints(), offset, rows, cols, panel);
    }

    /**
     * Where the bfloat16 of float position {@code e} (the float32 layout above) is kept: int
     * {@code slot >> 1}, low half when {@code slot} is even, high half when odd. With panels of
     * {@code 4q} columns, each depth step's {@code 4q} weights fill {@code 2q} ints: int {@code g*q + i}
     * ({@code g} = 0, 1; {@code i < q}) holds column {@code 2gq + i} low and {@code 2gq + q + i} high,
     * so one vector of q ints gives two vectors of q floats (shift left by 16; clear the low half).
     * Other panel widths pair neighbours.
     */
    static int bf16Slot(int e, int panel) {
        if (panel % 4 != 0) return e;
        int q = panel / 4, pj = e % panel, g = pj / (2 * q), r = pj % (2 * q);
        return e - pj + 2 * (g * q + r % q) + r / q;
    }

    /** Float32 to bfloat16 bits, round to nearest even (NaN stays NaN). */
    static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static int paddedRows(int rows, int panel) {
        return (rows + panel - 1) / panel * panel;
    }

    /** Floats needed to pack an [rows, cols] matrix in panels of {@code panel}. */
    public static int size(int rows, int cols, int panel) {
        return Math.multiplyExact(paddedRows(rows, panel), cols);
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
