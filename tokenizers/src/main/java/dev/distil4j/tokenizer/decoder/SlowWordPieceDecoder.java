package dev.distil4j.tokenizer.decoder;

import java.util.List;

/**
 * The slow {@code BertTokenizer.convert_tokens_to_string} of transformers 4.28: join with spaces, glue
 * {@code " ##"} pieces, strip. Used by tokenizers loaded from legacy vocab files; saved to
 * tokenizer.json as the usual WordPiece decoder (what {@code BertConverter} writes).
 */
public record SlowWordPieceDecoder(String prefix) implements Decoder {
    @Override
    public String type() {
        return "WordPiece";
    }

    @Override
    public String decode(List<String> tokens) {
        return String.join(" ", tokens).replace(" " + prefix, "").strip();
    }
}
