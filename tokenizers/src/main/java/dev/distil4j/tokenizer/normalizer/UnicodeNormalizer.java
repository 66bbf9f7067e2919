package dev.distil4j.tokenizer.normalizer;

import dev.distil4j.tokenizer.text.NormalizedString;
import dev.distil4j.tokenizer.text.UnicodeNormalization;
import dev.distil4j.tokenizer.text.UnicodeTables;

/** NFC, NFD, NFKC or NFKD (tokenizer.json types of the same names). */
public record UnicodeNormalizer(UnicodeNormalization.Form form, UnicodeTables tables) implements Normalizer {
    public UnicodeNormalizer {
        if (tables == null) {
            tables = UnicodeTables.RUST;
        }
    }

    public UnicodeNormalizer(UnicodeNormalization.Form form) {
        this(form, UnicodeTables.RUST);
    }

    @Override
    public String type() {
        return form.name();
    }

    @Override
    public void normalize(NormalizedString ns) {
        UnicodeNormalization.apply(ns, form, tables);
    }
}
