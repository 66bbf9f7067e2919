package dev.distil4j.tokenizer.decoder;

import java.util.List;

/** Last stage, used by {@code decode}: turns tokens back into text. Immutable and thread-safe. */
public sealed interface Decoder permits WordPieceDecoder, ByteLevelDecoder, SlowWordPieceDecoder {

    String decode(List<String> tokens);

    /** The {@code "type"} used in tokenizer.json. */
    String type();

    /**
     * The clean-up {@code transformers} applies after decoding when {@code clean_up_tokenization_spaces}
     * is set (removes the space before {@code . ? ! ,} and inside English contractions).
     */
    static String cleanUpTokenization(String s) {
        if (s.indexOf(' ') < 0) {
            return s;
        }
        return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }
}
