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

    PackedWeights(WeightMatrix... parts) {
        this.parts = parts.clone();
    }

    /** The packed matrix for {@code c}'s kernels (packing it now if that has not happened yet). */
    PackedMatrix get(Compute c) {
        int panel = c.kernels().panelWidth();
        PackedMatrix p = packed;
        if (p == null || p.panel() != panel) {
            synchronized (this) {
                p = packed;
                if (p == null || p.panel() != panel) {
                    p = c.pack(parts);
                    packed = p;
                }
            }
        }
        return p;
    }
}
