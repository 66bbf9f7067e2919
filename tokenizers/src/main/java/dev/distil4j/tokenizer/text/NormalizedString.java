package dev.distil4j.tokenizer.text;

import java.util.Arrays;

/**
 * A piece of text being normalized, as code points, each aligned to the range of the original input
 * it came from (UTF-16 indices into the string passed to {@code encode}).
 *
 * <p>This mirrors Hugging Face's {@code NormalizedString}: a replaced code point keeps the alignment of
 * the one it replaces, an inserted code point takes the alignment of the last original code point
 * consumed before it, a removed one disappears. A token's offsets are the start of its first code
 * point's alignment to the end of its last one. Not thread-safe; one instance lives inside one
 * {@code encode} call.
 */
public final class NormalizedString {
    private int[] cps;
    private int[] starts;
    private int[] ends;
    private int len;

    private NormalizedString(int[] cps, int[] starts, int[] ends, int len) {
        this.cps = cps;
        this.starts = starts;
        this.ends = ends;
        this.len = len;
    }

    /** The original text {@code s[from, to)}, each code point aligned to itself. */
    public static NormalizedString of(String s, int from, int to) {
        int n = to - from;
        int[] cps = new int[n];
        int[] st = new int[n];
        int[] en = new int[n];
        int k = 0;
        for (int i = from; i < to; ) {
            int cp = s.codePointAt(i);
            int w = Character.charCount(cp);
            if (w == 2 && i + 1 >= to) {
                w = 1;
                cp = s.charAt(i);
            }
            cps[k] = cp;
            st[k] = i;
            en[k] = i + w;
            k++;
            i += w;
        }
        return new NormalizedString(cps, st, en, k);
    }

    public int length() {
        return len;
    }

    public boolean isEmpty() {
        return len == 0;
    }

    public int cp(int i) {
        return cps[i];
    }

    /** Start (UTF-16, in the original input) of code point {@code i}. */
    public int start(int i) {
        return starts[i];
    }

    /** End (UTF-16, in the original input) of code point {@code i}. */
    public int end(int i) {
        return ends[i];
    }

    /** The code points array (shared, read only; valid up to {@link #length()}). */
    public int[] codePoints() {
        return cps;
    }

    public String text() {
        return new String(cps, 0, len);
    }

    public String text(int from, int to) {
        return new String(cps, from, to - from);
    }

    /** A copy of the normalized range {@code [from, to)}, alignments kept. */
    public NormalizedString slice(int from, int to) {
        return new NormalizedString(Arrays.copyOfRange(cps, from, to), Arrays.copyOfRange(starts, from, to),
                Arrays.copyOfRange(ends, from, to), to - from);
    }

    /** Starts a rewrite; see {@link Builder}. */
    public Builder rewrite() {
        return new Builder(this, len + 8);
    }

    @Override
    public String toString() {
        return text();
    }

    /**
     * Rewrites a string left to right: {@link #keep}, {@link #replace} and {@link #insert} append to the
     * new content, a source index never emitted is removed. {@link #commit} installs the result.
     */
    public static final class Builder {
        private final NormalizedString src;
        private int[] c;
        private int[] s;
        private int[] e;
        private int n;
        private int lastSrc = -1;

        Builder(NormalizedString src, int cap) {
            this.src = src;
            c = new int[cap];
            s = new int[cap];
            e = new int[cap];
        }

        private void add(int cp, int st, int en) {
            if (n == c.length) {
                int cap = n * 2 + 8;
                c = Arrays.copyOf(c, cap);
                s = Arrays.copyOf(s, cap);
                e = Arrays.copyOf(e, cap);
            }
            c[n] = cp;
            s[n] = st;
            e[n] = en;
            n++;
        }

        /** Keeps source code point {@code i} unchanged. */
        public void keep(int i) {
            add(src.cps[i], src.starts[i], src.ends[i]);
            lastSrc = i;
        }

        /** Replaces source code point {@code i} by {@code cp} (same alignment). */
        public void replace(int i, int cp) {
            add(cp, src.starts[i], src.ends[i]);
            lastSrc = i;
        }

        /** Inserts {@code cp}, aligned like the last source code point consumed (as Hugging Face does). */
        public void insert(int cp) {
            if (lastSrc >= 0) {
                add(cp, src.starts[lastSrc], src.ends[lastSrc]);
            } else if (src.len > 0) {
                add(cp, src.starts[0], src.starts[0]);
            } else {
                add(cp, 0, 0);
            }
        }

        /** Appends {@code cp} with an explicit alignment. */
        public void emit(int cp, int start, int end) {
            add(cp, start, end);
        }

        /** Marks source index {@code i} consumed without emitting anything (a removal). */
        public void consume(int i) {
            lastSrc = i;
        }

        public void commit() {
            src.cps = c;
            src.starts = s;
            src.ends = e;
            src.len = n;
        }
    }
}
