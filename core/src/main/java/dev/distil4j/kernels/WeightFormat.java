package dev.distil4j.kernels;

/** How packed Linear weights are stored: float32, bfloat16 (two to an int) or int8 with per-row scales. */
public enum WeightFormat {
    FLOAT32(4), BF16(4), INT8(1);

    private final int elementBytes;

    WeightFormat(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** Bytes per element of the array the format is stored in (float, int, byte). */
    int elementBytes() {
        return elementBytes;
    }
}
