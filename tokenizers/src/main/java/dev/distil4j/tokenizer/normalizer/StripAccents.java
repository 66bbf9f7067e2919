package dev.distil4j.tokenizer.normalizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeNormalization;
import dev.distil4j.tokenizer.text.UnicodeTables;

/**
 * Deletes combining marks. As in Hugging Face, the standalone {@code StripAccents} does not decompose
 * first (tokenizer.json pipelines put an NFD before it) and removes every combining mark (Mn, Mc, Me);
 * BERT's normalizer decomposes, then removes nonspacing marks (Mn) only.
 */
public record StripAccents(UnicodeTables tables) implements Normalizer {
    public StripAccents {
        if (tables == null) {
            tables = UnicodeTables.RUST;
        }
    }

    public StripAccents() {
        this(UnicodeTables.RUST);
    }

    @Override
    public String type() {
        return "StripAccents";
    }

    @Override
    public void normalize(NormalizedString ns) {
        removeMarks(ns, tables, true);
    }

    /** NFD then delete Mn (BERT). */
    static void stripAccents(NormalizedString ns, UnicodeTables tables) {
        UnicodeNormalization.decompose(ns, false, tables);
        removeMarks(ns, tables, false);
    }

    private static boolean isMark(UnicodeTables t, int cp, boolean anyCombining) {
        return anyCombining ? t.isCombiningMark(cp) : t.isNonspacingMark(cp);
    }

    static void removeMarks(NormalizedString ns, UnicodeTables tables, boolean anyCombining) {
        int n = ns.length();
        int[] c = ns.codePoints();
        boolean any = false;
        for (int i = 0; i < n && !any; i++) {
            any = c[i] >= 0x300 && isMark(tables, c[i], anyCombining);
        }
        if (!any) {
            return;
        }
        NormalizedString.Builder b = ns.rewrite();
        for (int i = 0; i < n; i++) {
            if (c[i] >= 0x300 && isMark(tables, c[i], anyCombining)) {
                b.consume(i);
            } else {
                b.keep(i);
            }
        }
        b.commit();
    }
}
