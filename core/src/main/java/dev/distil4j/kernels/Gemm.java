package dev.distil4j.kernels;

/**
 * The three matrix products of training on the inference micro-kernels ({@link Kernels#matmul}):
 * <pre>
 *   forward    y  = x W^T      {@link #nt}     [m, k] . [n, k]^T
 *   input grad dX = dY W       {@link #nn}     [m, k] . [k, n]
 *   weight grad dW += dY^T X   {@link #tnAdd}  [r, n1]^T . [r, n2]
 * </pre>
 * Each packs its right-hand operand (weights change every step, so nothing is packed once) into
 * the layout the micro-kernel reads, in parallel, then runs the product on {@link Compute}'s
 * threads; tnAdd also transposes dY (both by {@link Kernels#transpose}'s 16 x 16 register blocks).
 * Packing is O(n k) against the product's O(m n k).
 *
 * <p>Holds reusable buffers: one caller at a time (a training step is sequential).
 */
public final class Gemm {
    private final Compute compute;
    private final Kernels kernels;
    private final int panel;
    /**
     * Where packed data starts in {@link #packed}: the first 64-byte boundary, for arrays that start
     * on one (large arrays under G1, ZGC, Shenandoah), so that the micro-kernel's vector loads of
     * packed values are not split across cache lines (10-15% of a product, measured).
     */
    private static final int ORIGIN = (Slab.ALIGN_BYTES - Slab.ARRAY_BASE_OFFSET % Slab.ALIGN_BYTES) % Slab.ALIGN_BYTES / Float.BYTES;
    private float[] packed = new float[0];
    /** tnAdd's dY^T, reused from call to call. */
    private float[] transposed = new float[0];

    public Gemm(Compute compute) {
        this.compute = compute;
        this.kernels = compute.kernels();
        this.panel = kernels.panelWidth();
    }

    public Compute compute() {
        return compute;
    }

    /** {@code out[m, n] = a[m, k] . w[n, k]^T + bias} ({@code bias} [n] or null): a Linear's forward. */
    public void nt(float[] a, int m, int k, float[] w, int n, float[] bias, float[] out) {
        nt(a, m, packForNt(w, n, k, false), bias, out);
    }

    /** {@code out[m, n] = a[m, k] . b[k, n]}: a Linear's input gradient (b = W). */
    public void nn(float[] a, int m, int k, float[] b, int n, float[] out) {
        nn(a, m, packForNn(b, k, n, false), out);
    }

    /**
     * W [n, k] packed for {@link #nt(float[], int, PackedMatrix, float[], float[])}: in the shared buffer, which
     * the next product overwrites, or with {@code own} in a buffer of its own, for a caller that keeps it while W
     * does not change.
     */
    public PackedMatrix packForNt(float[] w, int n, int k, boolean own) {
        return packRows(w, n, k, buffer(own, n, k));
    }

    /** B [k, n] packed for {@link #nn(float[], int, PackedMatrix, float[])}, as {@link #packForNt}. */
    public PackedMatrix packForNn(float[] b, int k, int n, boolean own) {
        return packColumns(b, 0, k, n, buffer(own, n, k));
    }

    /** {@code out[m, n] = a[m, k] . W^T + bias} with W packed by {@link #packForNt}. */
    public void nt(float[] a, int m, PackedMatrix w, float[] bias, float[] out) {
        compute.linear(a, m, w, bias, null, null, out);
    }

    /** {@code out[m, n] = a[m, k] . B} with B packed by {@link #packForNn}. */
    public void nn(float[] a, int m, PackedMatrix b, float[] out) {
        compute.linear(a, m, b, null, null, null, out);
    }

    private float[] buffer(boolean own, int n, int k) {
        int size = ORIGIN + PackedMatrix.size(n, k, panel);
        return own ? new float[size] : (packed = grow(packed, size));
    }

    /**
     * {@code out[n1, n2] += a[r, n1]^T . b[r, n2]}: a Linear's weight gradient (a = dY, b = X). dY is
     * transposed first, so that the product runs on {@link #nt}'s micro-kernel accumulating onto out;
     * in blocks of {@link #DEPTH_BLOCK} rows of dY and X, so that dY^T's buffer stays n1 x 768 (the MLM
     * decoder's n1 is the vocabulary) and each sum still runs over the rows in order.
     */
    public void tnAdd(float[] a, int r, int n1, float[] b, int n2, float[] out) {
        float[] at = transposed = grow(transposed, n1 * Math.min(r, DEPTH_BLOCK));
        for (int r0 = 0; r0 < r; r0 += DEPTH_BLOCK) {
            int rows = Math.min(DEPTH_BLOCK, r - r0), base = r0;
            // blocks of dY's rows per unit, each read sequentially
            compute.parallel(rows, 64, (i0, i1) -> kernels.transpose(a, (base + i0) * n1, n1, i1 - i0, n1, at, i0, rows));
            compute.linear(at, n1, packColumns(b, r0 * n2, rows, n2, buffer(false, n2, rows)), null, null, out, out);
        }
    }

    /** Rows of dY and X per block of {@link #tnAdd}: the micro-kernel's depth block. */
    private static final int DEPTH_BLOCK = 768;

    /** {@code out[j] += sum_i a[i, j]}: a Linear's bias gradient. */
    public void columnSumsAdd(float[] a, int rows, int cols, float[] out) {
        compute.parallel(cols, 256, (j0, j1) -> {
            for (int i = 0; i < rows; i++) kernels.axpy(1f, a, i * cols + j0, out, j0, j1 - j0);
        });
    }

    /** W [n, k] row-major, packed so that the product is {@code a . W^T}. */
    private PackedMatrix packRows(float[] w, int n, int k, float[] buf) {
        int panels = (n + panel - 1) / panel;
        compute.parallel(panels, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int base = ORIGIN + p * k * panel, width = Math.min(panel, n - p * panel);
                kernels.transpose(w, p * panel * k, k, width, k, buf, base, panel);
                if (width < panel) {
                    for (int c = 0; c < k; c++) java.util.Arrays.fill(buf, base + c * panel + width, base + (c + 1) * panel, 0f);
                }
            }
        });
        return new PackedMatrix(buf, ORIGIN, n, k, panel);
    }

    /** B [k, n] row-major from {@code bOff}, packed so that the product is {@code a . B} (W = B^T). */
    private PackedMatrix packColumns(float[] b, int bOff, int k, int n, float[] buf) {
        int panels = (n + panel - 1) / panel;
        compute.parallel(panels, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int width = Math.min(panel, n - p * panel), base = ORIGIN + p * k * panel;
                for (int c = 0; c < k; c++) {
                    System.arraycopy(b, bOff + c * n + p * panel, buf, base + c * panel, width);
                    for (int jj = width; jj < panel; jj++) buf[base + c * panel + jj] = 0f;
                }
            }
        });
        return new PackedMatrix(buf, ORIGIN, n, k, panel);
    }

    private static float[] grow(float[] buf, int size) {
        return buf.length >= size ? buf : new float[size];
    }
}
