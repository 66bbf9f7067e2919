package dev.distil4j.train.data;

import java.util.Collection;
import java.util.List;

/** The columns a text-classification file is read by: chosen by name, or from the header as run_glue.py does. */
record Columns(String text, String pair, String label) {

    private static final List<List<String>> PAIRS = List.of(
            List.of("sentence1", "sentence2"), List.of("question", "sentence"), List.of("question1", "question2"));

    /**
     * Resolves {@code options} against the names present; a column that is asked for (or needed) but absent
     * is an error at {@code where} listing the names there are.
     */
    static Columns resolve(ReadOptions options, Collection<String> names, Origin where, String kind) {
        String text = options.textColumn();
        String pair = options.pairColumn();
        if (text == null) {
            for (List<String> p : PAIRS) {
                if (names.contains(p.get(0)) && names.contains(p.get(1))) {
                    text = p.get(0);
                    pair = p.get(1);
                    break;
                }
            }
            if (text == null) {
                if (names.contains("sentence")) {
                    text = "sentence";
                } else if (names.contains("text")) {
                    text = "text";
                } else {
                    throw new DataFormatException(where, null, "no text " + kind + ": expected 'sentence' or 'text' "
                            + "(or a pair: sentence1/sentence2, question/sentence, question1/question2), found "
                            + names + "; name the " + kind + "s in ReadOptions.withColumns");
                }
            }
        }
        require(text, names, where, kind);
        if (pair != null) {
            require(pair, names, where, kind);
        }
        if (options.labelColumn() != null) {
            require(options.labelColumn(), names, where, kind);
        }
        return new Columns(text, pair, options.labelColumn());
    }

    private static void require(String name, Collection<String> names, Origin where, String kind) {
        if (!names.contains(name)) {
            throw new DataFormatException(where, kind + " '" + name + "'", "missing (found " + names + ")");
        }
    }
}
