package dev.distil4j.tokenizer;

/**
 * A token matched whole in the raw (or normalized) text before the model runs, as in tokenizer.json's
 * {@code added_tokens}.
 *
 * @param lstrip the match also eats the whitespace before it (its offsets include that whitespace)
 * @param rstrip the match also eats the whitespace after it
 * @param singleWord only match when not glued to a word character on either side
 * @param normalized match against the normalized text instead of the raw text
 * @param special special tokens are skipped by {@code decode(..., skipSpecialTokens=true)}
 */
public record AddedToken(String content, int id, boolean special, boolean singleWord, boolean lstrip,
                         boolean rstrip, boolean normalized) {
    public AddedToken {
        if (content == null || content.isEmpty()) {
            throw new TokenizerException("added token with empty content (id " + id + ")");
        }
    }
}
