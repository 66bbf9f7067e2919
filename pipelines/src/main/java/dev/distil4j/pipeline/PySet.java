package dev.distil4j.pipeline;

import java.util.Arrays;

/**
 * The iteration order of CPython's {@code list(set(ints))} for non-negative ints (whose hash is the
 * value): the fill-mask pipeline de-duplicates targets through {@code set()}, and that order decides
 * which of two equal scores comes first. Mirrors {@code Objects/setobject.c} (3.7+): table of 8 slots,
 * linear probes of 9 when they fit, then perturbed probing; resize to 4 x used when 3/5 full.
 */
final class PySet {
    private static final int LINEAR_PROBES = 9;
    private static final int PERTURB_SHIFT = 5;

    private PySet() {}

    static int[] order(int[] values) {
        long[] table = empty(8);
        int used = 0;
        for (int v : values) {
            if (v < 0) throw new IllegalArgumentException("negative id " + v);
            if (contains(table, v)) continue;
            insert(table, v);
            used++;
            if ((long) used * 5 >= (long) (table.length - 1) * 3) {
                table = resize(table, used > 50000 ? used * 2 : used * 4);
            }
        }
        return Arrays.stream(table).filter(x -> x >= 0).mapToInt(x -> (int) x).toArray();
    }

    private static long[] empty(int size) {
        long[] t = new long[size];
        Arrays.fill(t, -1);
        return t;
    }

    private static boolean contains(long[] table, int v) {
        for (long x : table) if (x == v) return true;
        return false;
    }

    private static void insert(long[] table, int v) {
        int mask = table.length - 1;
        long perturb = v;
        int i = v & mask;
        while (true) {
            int probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
            int j = i;
            do {
                if (table[j] < 0) {
                    table[j] = v;
                    return;
                }
                j++;
            } while (probes-- > 0);
            perturb >>>= PERTURB_SHIFT;
            i = (int) ((i * 5L + 1 + perturb) & mask);
        }
    }

    private static long[] resize(long[] old, int minUsed) {
        int size = 8;
        while (size <= minUsed) size <<= 1;
        long[] t = empty(size);
        for (long x : old) if (x >= 0) insert(t, (int) x);
        return t;
    }
}
