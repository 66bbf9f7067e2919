package dev.distil4j.train.distill;

/** Derives independent generator seeds from (seed, stream, index), so any batch can be re-created alone. */
final class Seeds {
    private Seeds() {}

    static long mix(long seed, long stream, long index) {
        return mix64(mix64(mix64(seed) ^ stream) + index);
    }

    /** SplitMix64's finaliser: a bijection that scatters nearby inputs. */
    static long mix64(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
