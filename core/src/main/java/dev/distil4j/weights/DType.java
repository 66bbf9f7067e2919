package dev.distil4j.weights;

import java.util.Locale;

/** Element types of stored tensors. Only the float types can feed the encoders; the rest are validated and skipped. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** True for the types that widen losslessly to float32 (F64 narrows, so it is refused). */
    public boolean widensToFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** Parses a safetensors dtype string ("F32", "BF16", ...); null when unknown. */
    public static DType ofSafetensors(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
