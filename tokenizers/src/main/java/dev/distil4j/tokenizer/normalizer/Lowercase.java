package dev.distil4j.tokenizer.normalizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeTables;

/**
 * Lowercases code point by code point (full mapping, no context: U+0130 gives two code points, a
 * final capital sigma gives σ as in Rust and in Python's per-character lowering, not ς).
 */
public record Lowercase(UnicodeTables tables) implements Normalizer {
    public Lowercase {
        if (tables == null) {
            tables = UnicodeTables.RUST;
        }
    }

    public Lowercase() {
        this(UnicodeTables.RUST);
    }

    @Override
    public String type() {
        return "Lowercase";
    }

    @Override
    public void normalize(NormalizedString ns) {
        lowercase(ns, tables);
    }

    static void lowercase(NormalizedString ns, UnicodeTables tables) {
        int n = ns.length();
        int[] c = ns.codePoints();
        int[] out = new int[2];
        boolean change = false;
        for (int i = 0; i < n && !change; i++) {
            int cp = c[i];
            change = tables.lowercase(cp, out) != 1 || out[0] != cp;
        }
        if (!change) {
            return;
        }
        NormalizedString.Builder b = ns.rewrite();
        for (int i = 0; i < n; i++) {
            int k = tables.lowercase(c[i], out);
            b.replace(i, out[0]);
            if (k == 2) {
                b.insert(out[1]);
            }
        }
        b.commit();
    }
}
