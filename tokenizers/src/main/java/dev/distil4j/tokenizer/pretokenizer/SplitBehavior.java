package dev.distil4j.tokenizer.pretokenizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import java.util.List;

/** What happens to a delimiter when splitting (Hugging Face's {@code SplitDelimiterBehavior}). */
public enum SplitBehavior {
    REMOVED("Removed"),
    ISOLATED("Isolated"),
    MERGED_WITH_PREVIOUS("MergedWithPrevious"),
    MERGED_WITH_NEXT("MergedWithNext"),
    CONTIGUOUS("Contiguous");

    private final String json;

    SplitBehavior(String json) {
        this.json = json;
    }

    public String json() {
        return json;
    }

    public static SplitBehavior fromJson(String s) {
        for (SplitBehavior b : values()) {
            if (b.json.equals(s)) {
                return b;
            }
        }
        return null;
    }

    /**
     * Splits {@code ns} given its matches as sorted, non-overlapping {@code [start, end)} pairs of
     * code-point indices ({@code matches[0..2*count)}), appending non-empty pieces to {@code out}.
     */
    public void apply(NormalizedString ns, int[] matches, int count, List<NormalizedString> out) {
        int n = ns.length();
        if (count == 0) {
            if (n > 0) {
                out.add(ns);
            }
            return;
        }
        // pieces as (start, end, isMatch), covering the whole string
        int[] ps = new int[(2 * count + 1) * 3];
        int k = 0;
        int prev = 0;
        for (int m = 0; m < count; m++) {
            int s = matches[2 * m];
            int e = matches[2 * m + 1];
            if (prev < s) {
                ps[k++] = prev;
                ps[k++] = s;
                ps[k++] = 0;
            }
            ps[k++] = s;
            ps[k++] = e;
            ps[k++] = 1;
            prev = e;
        }
        if (prev < n) {
            ps[k++] = prev;
            ps[k++] = n;
            ps[k++] = 0;
        }
        int pieces = k / 3;
        switch (this) {
            case REMOVED -> {
                for (int i = 0; i < pieces; i++) {
                    if (ps[3 * i + 2] == 0) {
                        add(ns, ps[3 * i], ps[3 * i + 1], out);
                    }
                }
            }
            case ISOLATED -> {
                for (int i = 0; i < pieces; i++) {
                    add(ns, ps[3 * i], ps[3 * i + 1], out);
                }
            }
            case MERGED_WITH_PREVIOUS -> {
                int[] r = new int[pieces * 2];
                int rn = 0;
                boolean prevMatch = false;
                for (int i = 0; i < pieces; i++) {
                    boolean match = ps[3 * i + 2] == 1;
                    if (match && !prevMatch && rn > 0) {
                        r[2 * rn - 1] = ps[3 * i + 1];
                    } else {
                        r[2 * rn] = ps[3 * i];
                        r[2 * rn + 1] = ps[3 * i + 1];
                        rn++;
                    }
                    prevMatch = match;
                }
                for (int i = 0; i < rn; i++) {
                    add(ns, r[2 * i], r[2 * i + 1], out);
                }
            }
            case MERGED_WITH_NEXT -> {
                int[] r = new int[pieces * 2];
                int rn = 0;
                boolean prevMatch = false;
                for (int i = pieces - 1; i >= 0; i--) {
                    boolean match = ps[3 * i + 2] == 1;
                    if (match && !prevMatch && rn > 0) {
                        r[2 * (rn - 1)] = ps[3 * i];
                    } else {
                        r[2 * rn] = ps[3 * i];
                        r[2 * rn + 1] = ps[3 * i + 1];
                        rn++;
                    }
                    prevMatch = match;
                }
                for (int i = rn - 1; i >= 0; i--) {
                    add(ns, r[2 * i], r[2 * i + 1], out);
                }
            }
            case CONTIGUOUS -> {
                int[] r = new int[pieces * 2];
                int rn = 0;
                boolean prevMatch = false;
                for (int i = 0; i < pieces; i++) {
                    boolean match = ps[3 * i + 2] == 1;
                    if (match == prevMatch && rn > 0) {
                        r[2 * rn - 1] = ps[3 * i + 1];
                    } else {
                        r[2 * rn] = ps[3 * i];
                        r[2 * rn + 1] = ps[3 * i + 1];
                        rn++;
                    }
                    prevMatch = match;
                }
                for (int i = 0; i < rn; i++) {
                    add(ns, r[2 * i], r[2 * i + 1], out);
                }
            }
        }
    }

    private static void add(NormalizedString ns, int s, int e, List<NormalizedString> out) {
        if (e > s) {
            out.add(s == 0 && e == ns.length() ? ns : ns.slice(s, e));
        }
    }

    /** A predicate on code points. */
    @FunctionalInterface
    public interface CpPredicate {
        boolean test(int cp);
    }

    /** Splits where {@code pred} holds, each matching code point being its own delimiter. */
    public void splitOnChars(NormalizedString ns, CpPredicate pred, List<NormalizedString> out) {
        int n = ns.length();
        int[] c = ns.codePoints();
        int[] m = null;
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (pred.test(c[i])) {
                if (m == null) {
                    m = new int[16];
                } else if (2 * count + 2 > m.length) {
                    m = java.util.Arrays.copyOf(m, m.length * 2);
                }
                m[2 * count] = i;
                m[2 * count + 1] = i + 1;
                count++;
            }
        }
        apply(ns, m, count, out);
    }
}
