package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.PackedMatrix;
import dev.distil4j.kernels.WeightMatrix;

/**
 * One or more Linear weights (stacked by rows) in the layout the kernels multiply fastest, packed
 * once: at load for the encoder ({@link Model#load}), on first use for the heads. The copy lives as
 * long as the model; the mapped checkpoint stays the source of truth.
 */
final class PackedWeights {
    private final WeightMatrix[] parts;
    private volatile PackedMatrix packed;
    private volatile Precision precision = Precision.FLOAT32;

    PackedWeights(WeightMatrix... parts) {
        this.parts = parts.clone();
    }

    /** Packs now for {@code c}'s kernels, as int8 ({@link Precision#INT8_WEIGHTS}) or float32. */
    synchronized void prepare(Compute c, Precision precision) {
        this.precision = precision;
        packed = null;
        get(c);
    }

    /** The packed matrix for {@code c}'s kernels (packing it now if that has not happened yet). */
    PackedMatrix get(Compute c) {
        int panel = c.kernels().panelWidth();
        PackedMatrix p = packed;
        if (p == null || p.panel() != panel) {
            synchronized (this) {
                p = packed;
                if (p == null || p.panel() != panel) {
                    p = switch (precision) {
                        case FLOAT32 -> c.pack(parts);
                        case BF16_WEIGHTS -> c.packBf16(parts);
                        case INT8_WEIGHTS -> c.packInt8(parts);
                    };
                    packed = p;
                }
            }
        }
        return p;
    }
}
