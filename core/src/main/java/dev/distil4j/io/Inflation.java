package dev.distil4j.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Function;

/**
 * Zip entries read only as far as their format can need. A zip's central directory states each
 * entry's compressed and uncompressed size; a bomb either states a huge size (refused before a byte
 * is inflated: over the caller's maximum, or more than {@link InputLimits#maxInflationRatio()} times
 * its compressed size) or understates it (refused at the first byte past the stated size). So what a
 * crafted entry can make us allocate or write is bounded by what it declares, and what it declares
 * is bounded by its real size on disk.
 */
public final class Inflation {
    /** Entries up to this size are never refused for their ratio: a small text file may compress very well. */
    public static final long RATIO_FREE_BYTES = 1 << 20;

    private Inflation() {}

    /**
     * The uncompressed bytes of one entry, checked against its declared sizes.
     *
     * @param where      names the archive and the entry in messages
     * @param compressed the entry's compressed size from the central directory, -1 when unknown
     * @param declared   its uncompressed size from the central directory, -1 when unknown
     * @param in         the inflating stream
     * @param maxBytes   the most this kind of entry may need ({@link Long#MAX_VALUE} for no bound beyond the ratio)
     */
    public static InputStream open(String where, long compressed, long declared, InputStream in, long maxBytes,
                                   InputLimits limits, Function<String, ? extends RuntimeException> error) {
        long limit = Math.min(maxBytes, allowed(compressed, limits));
        if (declared > maxBytes) {
            throw error.apply(where + ": declares " + declared + " bytes uncompressed, more than the " + maxBytes
                    + " this entry may hold");
        }
        if (declared > limit) {
            throw error.apply(where + ": declares " + declared + " bytes from " + compressed + " compressed, more than "
                    + limits.maxInflationRatio() + " times its size (a zip bomb? system property "
                    + InputLimits.RATIO_PROPERTY + " raises the ratio)");
        }
        return new Bounded(in, declared >= 0 ? declared : limit, declared >= 0, where, error);
    }

    /** The largest uncompressed size the ratio allows for {@code compressed} bytes; saturates instead of overflowing. */
    static long allowed(long compressed, InputLimits limits) {
        if (compressed < 0) return Long.MAX_VALUE;
        long r = limits.maxInflationRatio();
        long product = compressed > Long.MAX_VALUE / r ? Long.MAX_VALUE : compressed * r;
        return Math.max(RATIO_FREE_BYTES, product);
    }

    /** Fails at the first byte past {@code limit}, and at the end when an exact size was declared but not met. */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private final boolean exact;
        private final String where;
        private final Function<String, ? extends RuntimeException> error;
        private long count;

        Bounded(InputStream in, long limit, boolean exact, String where, Function<String, ? extends RuntimeException> error) {
            super(in);
            this.limit = limit;
            this.exact = exact;
            this.where = where;
            this.error = error;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            // ask for one byte more than may remain, so an overlong entry is noticed without reading further
            int want = (int) Math.min(len, limit - count + 1);
            int n = super.read(b, off, want);
            if (n < 0) {
                if (exact && count != limit) {
                    throw error.apply(where + ": inflates to " + count + " bytes, but the zip declares " + limit
                            + "; the archive is corrupt");
                }
                return -1;
            }
            count += n;
            if (count > limit) {
                throw error.apply(where + ": inflates to more than the " + limit + " bytes "
                        + (exact ? "the zip declares; the archive is corrupt or crafted" : "allowed"));
            }
            return n;
        }

        @Override
        public boolean markSupported() {
            return false; // the count assumes each byte is read once
        }

        @Override
        public long skip(long n) throws IOException {
            // skipped bytes are counted like read ones
            int k = read(new byte[(int) Math.max(0, Math.min(n, 8192))], 0, (int) Math.max(0, Math.min(n, 8192)));
            return Math.max(k, 0);
        }
    }
}
