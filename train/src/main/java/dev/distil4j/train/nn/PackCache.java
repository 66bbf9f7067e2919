package dev.distil4j.train.nn;

import dev.distil4j.kernels.PackedMatrix;

import java.util.Arrays;
import java.util.function.Supplier;

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

    /** The kept packing for parameters at versions {@code now}, made by {@code pack} on a second use; null on a first. */
    PackedMatrix get(int[] now, Supplier<PackedMatrix> pack) {
        if (!Arrays.equals(now, versions)) {
            versions = now;
            used = false;
            kept = null;
        }
        if (kept == null && used) kept = pack.get();
        used = true;
        return kept;
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
