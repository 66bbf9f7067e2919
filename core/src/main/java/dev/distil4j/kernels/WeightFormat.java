package dev.distil4j.kernels;

/** How packed Linear weights are stored ({@link PackedMatrix#pack}). */
public enum WeightFormat {
    /** As in the checkpoint. */
    FLOAT32(4),
    /** Rounded to bfloat16, two to an int: half the memory; products still accumulate in float32. */
    BF16(4),
    /** Weight-only int8 with one scale per output feature: a quarter of the memory. */
    INT8(1);

    private final int elementBytes;

    WeightFormat(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** Bytes per element of the array the format is stored in (float, int, byte). */
    int elementBytes() {
        return elementBytes;
    }
}
