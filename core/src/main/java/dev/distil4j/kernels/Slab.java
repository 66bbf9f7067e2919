package dev.distil4j.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * One array that holds many packed weight matrices, each starting on a 64-byte boundary.
 *
 * <p>Why: an AVX-512 load that straddles two cache lines costs two. Java arrays begin 16 bytes
 * into an 8-byte-aligned object, so in a plain {@code float[]} every 64-byte vector load of the
 * packed weights is split; measured on the 1024 x 768 x 3072 product, one thread: 228 GFLOP/s
 * split, 244 GFLOP/s aligned. A large array does start on a page or region boundary in the
 * collectors that keep large objects apart (G1's humongous regions, ZGC's large pages,
 * Shenandoah), so one slab for all of a model's weights, with each matrix placed at the next
 * 64-byte boundary past the array header, gets aligned loads. Where the collector places the
 * array otherwise (Serial, Parallel; small models), the loads are as before: results are the same
 * either way.
 *
 * <p>Exactly one of the three arrays is used, by the format's element type.
 */
public final class Slab {
    static final int ALIGN_BYTES = 64;

    private final float[] floats;
    private final int[] ints;
    private final byte[] bytes;
    /** Elements per 64 bytes. */
    private final int perLine;
    private final int capacity;
    /** The first element on a 64-byte boundary; every matrix starts a multiple of 64 bytes after it. */
    private final int origin;
    private int next;

    private Slab(WeightFormat format, int capacity) {
        this.floats = format == WeightFormat.FLOAT32 ? new float[capacity] : null;
        this.ints = format == WeightFormat.BF16 ? new int[capacity] : null;
        this.bytes = format == WeightFormat.INT8 ? new byte[capacity] : null;
        this.perLine = ALIGN_BYTES / format.elementBytes();
        this.capacity = capacity;
        int misalignment = ARRAY_BASE_OFFSET % ALIGN_BYTES;
        this.origin = misalignment == 0 ? 0 : (ALIGN_BYTES - misalignment) / format.elementBytes();
        this.next = origin;
    }

    /** A slab for matrices of {@code format} whose stored lengths are {@code lengths}. */
    public static Slab of(WeightFormat format, int... lengths) {
        int perLine = ALIGN_BYTES / format.elementBytes();
        long total = perLine; // the first element's alignment
        for (int n : lengths) total += (n + perLine - 1L) / perLine * perLine;
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("weights too large for one array: " + total + " elements");
        return new Slab(format, (int) total);
    }

    float[] floats() {
        return floats;
    }

    int[] ints() {
        return ints;
    }

    byte[] bytes() {
        return bytes;
    }

    /** Reserves {@code length} elements at the next 64-byte boundary; returns their offset. */
    synchronized int take(int length) {
        int offset = next;
        if ((long) offset + length > capacity) throw new IllegalStateException("slab full: " + length + " more at " + offset + " of " + capacity);
        next = (int) Math.min(Integer.MAX_VALUE, origin + (offset - origin + (long) length + perLine - 1) / perLine * perLine);
        return offset;
    }

    /**
     * Bytes from an array object's start to its first 4-byte element, as HotSpot lays arrays out:
     * 16 with compressed class pointers (the default), 12 with compact object headers (JDK 24+,
     * opt-in), 20 without either. Read from the VM's flags through its public management interface.
     */
    static final int ARRAY_BASE_OFFSET = arrayBaseOffset();

    private static int arrayBaseOffset() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm == null) return 16;
            if (flag(vm, "UseCompactObjectHeaders")) return 12;
            return flag(vm, "UseCompressedClassPointers") ? 16 : 20;
        } catch (RuntimeException | LinkageError e) {
            return 16; // not HotSpot, or no jdk.management module: the common layout
        }
    }

    private static boolean flag(HotSpotDiagnosticMXBean vm, String name) {
        try {
            return Boolean.parseBoolean(vm.getVMOption(name).getValue());
        } catch (IllegalArgumentException e) {
            return false; // a flag this JVM does not have
        }
    }
}
