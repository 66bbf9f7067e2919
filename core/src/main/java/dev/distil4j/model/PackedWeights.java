package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.PackedMatrix;
import dev.distil4j.kernels.Slab;
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

    /** Elements its packed form takes in a {@link Slab} of {@code precision}'s format, in panels of {@code panel}. */
    int storedLength(Precision precision, int panel) {
        return PackedMatrix.storedLength(precision.format(), panel, parts);
    }

    /** Packs now for {@code c}'s kernels in {@code precision}, into {@code slab} (null: an array of its own). */
    synchronized void prepare(Compute c, Precision precision, Slab slab) {
        this.precision = precision;
        packed = c.pack(precision.format(), slab, parts);
    }

    /** The packed matrix for {@code c}'s kernels (packing it now if that has not happened yet). */
    PackedMatrix get(Compute c) {
        int panel = c.kernels().panelWidth();
        PackedMatrix p = packed;
        if (p == null || p.panel() != panel) {
            synchronized (this) {
                p = packed;
                if (p == null || p.panel() != panel) {
                    p = c.pack(precision.format(), null, parts);
                    packed = p;
                }
            }
        }
        return p;
    }
}
