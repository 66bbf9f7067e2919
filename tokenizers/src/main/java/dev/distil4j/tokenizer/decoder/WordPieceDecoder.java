package dev.distil4j.tokenizer.decoder;

import java.util.List;

/**
 * Rust's WordPiece decoder: tokens after the first get a leading space unless they start with the
 * prefix (which is removed); with {@code cleanup}, each token is then cleaned on its own (Rust's list,
 * which also turns " do not" into " don't", can only ever match a single token's text here).
 */
public record WordPieceDecoder(String prefix, boolean cleanup) implements Decoder {
    @Override
    public String type() {
        return "WordPiece";
    }

    @Override
    public String decode(List<String> tokens) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            if (i != 0) {
                if (t.startsWith(prefix)) {
                    t = t.substring(prefix.length());
                } else {
                    t = " " + t;
                }
            }
            if (cleanup) {
                t = rustCleanup(t);
            }
            sb.append(t);
        }
        return sb.toString();
    }

    static String rustCleanup(String s) {
        if (s.indexOf(' ') < 0) {
            return s;
        }
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't")
                .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }
}
