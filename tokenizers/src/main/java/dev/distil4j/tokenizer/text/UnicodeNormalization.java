package dev.distil4j.tokenizer.text;

import java.text.Normalizer;

/**
 * NFC/NFD/NFKC/NFKD on a {@link NormalizedString}, keeping Hugging Face's alignment rules: the first
 * code point of a decomposition replaces its source, the others are inserted (same alignment); a
 * composed code point takes the alignment of the first code point it absorbs.
 *
 * <p>Decomposition data comes from {@link java.text.Normalizer}, i.e. the JDK's Unicode version. The
 * decompositions of characters that existed in Unicode 14 are stable (normalization stability policy),
 * so only characters newer than the reference can differ.
 */
public final class UnicodeNormalization {
    private UnicodeNormalization() {}

    /** Normalization forms. */
    public enum Form { NFC, NFD, NFKC, NFKD }

    public static void apply(NormalizedString ns, Form form, UnicodeTables tables) {
        switch (form) {
            case NFD -> decompose(ns, false, tables);
            case NFKD -> decompose(ns, true, tables);
            case NFC -> compose(ns, false, tables);
            case NFKC -> compose(ns, true, tables);
        }
    }

    private static boolean allBelow(NormalizedString ns, int limit) {
        int[] c = ns.codePoints();
        for (int i = 0, n = ns.length(); i < n; i++) {
            if (c[i] >= limit) {
                return false;
            }
        }
        return true;
    }

    /** Canonical (or compatibility) decomposition, code point by code point. */
    public static void decompose(NormalizedString ns, boolean compat, UnicodeTables tables) {
        // Below U+00A0 nothing decomposes, not even under NFKD; below U+00C0 nothing under NFD.
        if (allBelow(ns, compat ? 0xA0 : 0xC0)) {
            return;
        }
        Normalizer.Form f = compat ? Normalizer.Form.NFKD : Normalizer.Form.NFD;
        NormalizedString.Builder b = ns.rewrite();
        int n = ns.length();
        for (int i = 0; i < n; i++) {
            int cp = ns.cp(i);
            if (cp < 0xA0 || (!compat && cp < 0xC0)) {
                b.keep(i);
                continue;
            }
            int[] o = tables.decompositionOverride(cp, compat);
            String d = o != null ? new String(o, 0, o.length) : Normalizer.normalize(Character.toString(cp), f);
            int first = d.codePointAt(0);
            b.replace(i, first);
            for (int j = Character.charCount(first); j < d.length(); ) {
                int c = d.codePointAt(j);
                b.insert(c);
                j += Character.charCount(c);
            }
        }
        b.commit();
        // Marks coming from different source characters may need canonical reordering. As in Hugging
        // Face, alignments stay with the positions, not with the characters that move.
        String s = ns.text();
        if (!Normalizer.isNormalized(s, f)) {
            reorder(ns, f, tables);
        }
    }

    /**
     * Canonical reordering, segment by segment: a mark the reference does not know (newer than its
     * Unicode tables) counts as a starter there, so it blocks reordering across it; so does a
     * character whose decomposition the reference does not have (it stays as it is).
     */
    private static void reorder(NormalizedString ns, Normalizer.Form f, UnicodeTables tables) {
        int n = ns.length();
        NormalizedString.Builder r = ns.rewrite();
        int segStart = 0;
        for (int i = 0; i <= n; i++) {
            if (i < n && !tables.isReorderBarrier(ns.cp(i)) && tables.decompositionOverride(ns.cp(i), compat(f)) == null) {
                continue;
            }
            if (i > segStart) {
                String ordered = Normalizer.normalize(ns.text(segStart, i), f);
                int k = segStart;
                for (int j = 0; j < ordered.length(); ) {
                    int c = ordered.codePointAt(j);
                    int src = Math.min(k, i - 1);
                    r.emit(c, ns.start(src), ns.end(src));
                    k++;
                    j += Character.charCount(c);
                }
            }
            if (i < n) {
                r.keep(i);
            }
            segStart = i + 1;
        }
        r.commit();
    }

    private static boolean compat(Normalizer.Form f) {
        return f == Normalizer.Form.NFKD || f == Normalizer.Form.NFKC;
    }

    /** Decomposition followed by canonical composition. */
    public static void compose(NormalizedString ns, boolean compat, UnicodeTables tables) {
        String s = ns.text();
        Normalizer.Form target = compat ? Normalizer.Form.NFKC : Normalizer.Form.NFC;
        if (allBelow(ns, 0x300) && !compat || Normalizer.isNormalized(s, target)) {
            return;
        }
        decompose(ns, compat, tables);
        String composed = Normalizer.normalize(ns.text(), Normalizer.Form.NFC);
        NormalizedString.Builder b = ns.rewrite();
        int k = 0;
        int n = ns.length();
        for (int j = 0; j < composed.length(); ) {
            int c = composed.codePointAt(j);
            j += Character.charCount(c);
            int src = Math.min(k, n - 1);
            if (k < n && ns.cp(k) == c) {
                b.emit(c, ns.start(src), ns.end(src)); // unchanged by composition
                k++;
                continue;
            }
            String d = Normalizer.normalize(Character.toString(c), Normalizer.Form.NFD);
            int parts = d.codePointCount(0, d.length());
            if (tables.decompositionOverride(c, false) != null) {
                // the reference does not know this composition: keep its pieces
                for (int q = 0; q < d.length(); ) {
                    int x = d.codePointAt(q);
                    int at = Math.min(k, n - 1);
                    b.emit(x, ns.start(at), ns.end(at));
                    k++;
                    q += Character.charCount(x);
                }
                continue;
            }
            b.emit(c, ns.start(src), ns.end(src));
            k += parts;
        }
        b.commit();
    }
}
