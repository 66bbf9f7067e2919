package dev.distil4j.io;

/**
 * Upper bounds on what a file may make a loader allocate: without them a few crafted bytes (a size
 * field, a zip bomb) cost gigabytes before the file is found to be wrong. The defaults are far
 * above what real checkpoints need; each can be raised with a system property.
 *
 * @param maxJsonBytes      largest JSON file read whole (config.json, tokenizer.json, shard indexes):
 *                          {@value #JSON_PROPERTY}, default 256 MiB
 * @param maxPickleBytes    largest {@code data.pkl} inside a {@code pytorch_model.bin} (a state dict's
 *                          pickle is ~200 bytes per tensor): {@value #PICKLE_PROPERTY}, default 64 MiB
 * @param maxInflationRatio largest uncompressed : compressed ratio of a zip entry over 1 MiB
 *                          (float weights barely compress, text 3-5x; only crafted or all-zero data
 *                          goes past 100x): {@value #RATIO_PROPERTY}, default 100
 */
public record InputLimits(long maxJsonBytes, long maxPickleBytes, long maxInflationRatio) {
    public static final String JSON_PROPERTY = "distil4j.maxJsonBytes";
    public static final String PICKLE_PROPERTY = "distil4j.maxPickleBytes";
    public static final String RATIO_PROPERTY = "distil4j.maxInflationRatio";

    public InputLimits {
        if (maxJsonBytes <= 0 || maxPickleBytes <= 0 || maxInflationRatio <= 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxJsonBytes + ", " + maxPickleBytes
                    + ", " + maxInflationRatio);
        }
    }

    /** The defaults, each overridden by its system property when set; read at each call, so nothing is cached. */
    public static InputLimits fromSystemProperties() {
        return new InputLimits(property(JSON_PROPERTY, 256L << 20), property(PICKLE_PROPERTY, 64L << 20),
                property(RATIO_PROPERTY, 100));
    }

    private static long property(String name, long dflt) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("system property " + name + "=" + v + " is not a positive number of "
                + (name.equals(RATIO_PROPERTY) ? "times" : "bytes"));
    }
}
