package dev.distil4j.tokenizer;

import dev.distil4j.tokenizer.text.UnicodeTables;

/**
 * What {@code tokenizer_config.json} (and {@code special_tokens_map.json}) say beyond the pipeline:
 * special token strings, maximum length, default sides, and which reference behaviour to emulate.
 *
 * @param modelMaxLength {@code model_max_length}; {@link Integer#MAX_VALUE} when unknown
 * @param flavor {@link UnicodeTables.Flavor#PYTHON} for tokenizers built from legacy vocab files
 *        (emulates the slow tokenizers of transformers 4.28), {@link UnicodeTables.Flavor#RUST} for
 *        tokenizer.json (emulates Hugging Face's Rust tokenizers)
 */
public record TokenizerConfig(int modelMaxLength, Side paddingSide, Side truncationSide,
                              boolean cleanUpTokenizationSpaces, String unkToken, String clsToken, String sepToken,
                              String padToken, String maskToken, String bosToken, String eosToken,
                              UnicodeTables.Flavor flavor) {
    public TokenizerConfig {
        if (paddingSide == null) {
            paddingSide = Side.RIGHT;
        }
        if (truncationSide == null) {
            truncationSide = Side.RIGHT;
        }
        if (flavor == null) {
            flavor = UnicodeTables.Flavor.RUST;
        }
        if (modelMaxLength <= 0) {
            modelMaxLength = Integer.MAX_VALUE;
        }
    }

    public TokenizerConfig withFlavor(UnicodeTables.Flavor f) {
        return new TokenizerConfig(modelMaxLength, paddingSide, truncationSide, cleanUpTokenizationSpaces, unkToken,
                clsToken, sepToken, padToken, maskToken, bosToken, eosToken, f);
    }

    public TokenizerConfig withTruncationSide(Side side) {
        return new TokenizerConfig(modelMaxLength, paddingSide, side, cleanUpTokenizationSpaces, unkToken,
                clsToken, sepToken, padToken, maskToken, bosToken, eosToken, flavor);
    }

    public TokenizerConfig withModelMaxLength(int n) {
        return new TokenizerConfig(n, paddingSide, truncationSide, cleanUpTokenizationSpaces, unkToken,
                clsToken, sepToken, padToken, maskToken, bosToken, eosToken, flavor);
    }
}
