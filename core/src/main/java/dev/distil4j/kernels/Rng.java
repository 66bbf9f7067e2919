package dev.distil4j.kernels;

/**
 * A counter-based generator: the value for (key, counter) is a pure function of both
 * (SplitMix64's finaliser), so dropout masks do not depend on how the work is split across
 * threads, and a recomputed forward (gradient checkpointing) draws exactly the same mask.
 */
public final class Rng {
    private Rng() {}

    /** SplitMix64's finaliser: a bijection of 64-bit values with full avalanche. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A key for a stream: {@code seed} and a stream id mixed. */
    public static long key(long seed, long stream) {
        return mix(mix(seed + 0x9e3779b97f4a7c15L) ^ (stream * 0xd1b54a32d192ed03L));
    }

    /** The golden-ratio step between the counters' inputs. */
    static final long STEP = 0x9e3779b97f4a7c15L;

    /**
     * {@code uniform(key, counter) >= p} exactly when the 24 random bits are {@code >= threshold(p)}:
     * the bits times 2^-24 are exact in float, so the comparison can be made on integers.
     */
    static long threshold(float p) {
        return (long) Math.ceil((double) p * 0x1.0p24);
    }

    /** Uniform in [0, 1) with 24 random bits, element {@code counter} of stream {@code key}. */
    public static float uniform(long key, long counter) {
        return (mix(key + counter * STEP) >>> 40) * 0x1.0p-24f;
    }
}
