package dev.distil4j.train.nn;

import dev.distil4j.kernels.PackedMatrix;

import java.util.Arrays;

/**
 * One packed layout of a weight matrix ({@link dev.distil4j.kernels.Gemm#packForNt}, {@code packForNn}), kept
 * while its parameters do not change ({@link Param#version()}). The first product at given versions packs into
 * the kernels' shared buffer, as for a step that changes the weights right after (fine-tuning without
 * accumulation: no memory kept); a second one at the same versions (gradient accumulation, a frozen teacher,
 * evaluation) packs into a buffer of its own, kept until the versions move.
 */
final class PackCache {
    private int[] versions;
    private boolean used;
    private PackedMatrix kept;

    /** Packs the weights: into a buffer of its own ({@code own}) or the kernels' shared one. */
    interface Packer {
        PackedMatrix pack(boolean own);
    }

    /** The weights packed, for parameters at versions {@code now}: kept from before, or packed by {@code packer}. */
    PackedMatrix get(int[] now, Packer packer) {
        if (!Arrays.equals(now, versions)) {
            versions = now;
            used = false;
            kept = null;
        }
        if (kept != null) return kept;
        if (used) return kept = packer.pack(true);
        used = true;
        return packer.pack(false);
    }

    /** The versions of {@code params} (nulls allowed), in order. */
    static int[] versions(Param[]... params) {
        int n = 0;
        for (Param[] ps : params) n += ps.length;
        int[] v = new int[n];
        int i = 0;
        for (Param[] ps : params) {
            for (Param p : ps) v[i++] = p == null ? -1 : p.version();
        }
        return v;
    }
}
