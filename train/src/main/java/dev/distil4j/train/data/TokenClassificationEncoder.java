package dev.distil4j.train.data;

import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TruncationStrategy;
import dev.distil4j.tokenizer.pretokenizer.ByteLevel;
import dev.distil4j.tokenizer.pretokenizer.PreTokenizer;
import dev.distil4j.tokenizer.pretokenizer.PreTokenizerSequence;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns tagged sentences into model inputs as {@code run_ner.py}'s {@code tokenize_and_align_labels}
 * does: the words are encoded as already split ({@code is_split_into_words=True}), truncated to
 * {@code maxLength}, and only the first piece of each word carries its tag; the other pieces and the
 * special tokens get {@link TokenFeature#IGNORE}, so each word counts once in the loss whatever the
 * number of pieces it splits into ({@code label_all_tokens=False}, the default).
 *
 * <p>Words are joined with single spaces and each token is mapped back to the word its characters come
 * from, which gives the same pieces as encoding word by word because the BERT and byte-level
 * pre-tokenizers always split at a space. Byte-level (RoBERTa) tokenizers get a space before every word,
 * the first included, as Hugging Face requires ({@code add_prefix_space=True}) for pre-split input.
 *
 * @param tokenizer      the model's tokenizer
 * @param maxLength      the longest encoding, special tokens included; above the tokenizer's
 *                       {@code model_max_length} it is lowered to that
 * @param labels         the tags
 * @param labelAllTokens label every piece of a word, a {@code B-X} word's later pieces with {@code I-X} (run_ner's
 *                       {@code label_all_tokens=True})
 */
public record TokenClassificationEncoder(Tokenizer tokenizer, int maxLength, LabelSet labels, boolean labelAllTokens) {

    public TokenClassificationEncoder {
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(labels, "labels");
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
        }
        maxLength = Math.min(maxLength, tokenizer.modelMaxLength());
    }

    /** run_ner.py's defaults: the tokenizer's {@code model_max_length}, first pieces labelled only. */
    public static TokenClassificationEncoder of(Tokenizer tokenizer, LabelSet labels) {
        return new TokenClassificationEncoder(tokenizer, tokenizer.modelMaxLength(), labels, false);
    }

    /** Encodes one sentence; a tag outside {@link #labels()} is a {@link DataFormatException} naming the sentence and word. */
    public TokenFeature encode(TokenExample e) {
        int n = e.size();
        int[] tagIds = new int[n];
        for (int i = 0; i < n; i++) {
            tagIds[i] = labels.id(e.tags().get(i), e.origin(), "word " + i + " '" + e.words().get(i) + "'");
        }
        boolean prefixSpace = isByteLevel(tokenizer.preTokenizer());
        StringBuilder text = new StringBuilder();
        int[] starts = new int[n];
        for (int i = 0; i < n; i++) {
            if (prefixSpace || i > 0) {
                text.append(' ');
            }
            starts[i] = text.length();
            text.append(e.words().get(i));
        }
        Encoding enc = tokenizer.encode(text.toString(),
                EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, maxLength));
        int len = enc.length();
        int[] wordIds = new int[len];
        int[] tokenLabels = new int[len];
        int[] toInside = labelAllTokens ? labels.beginToInside() : null;
        int previous = -1;
        for (int t = 0; t < len; t++) {
            int word = -1;
            if (enc.sequenceIdAt(t) == 0) {
                int s = enc.startAt(t);
                int end = enc.endAt(t);
                word = wordAt(starts, end > s ? end - 1 : s);
            }
            wordIds[t] = word;
            if (word < 0) {
                tokenLabels[t] = TokenFeature.IGNORE;
            } else if (word != previous) {
                tokenLabels[t] = tagIds[word];
            } else {
                tokenLabels[t] = labelAllTokens ? toInside[tagIds[word]] : TokenFeature.IGNORE;
            }
            previous = word;
        }
        return new TokenFeature(enc.ids(), enc.attentionMask(), enc.typeIds(), tokenLabels, wordIds);
    }

    public List<TokenFeature> encodeAll(List<TokenExample> examples) {
        List<TokenFeature> out = new ArrayList<>(examples.size());
        for (TokenExample e : examples) {
            out.add(encode(e));
        }
        return out;
    }

    /** The last word starting at or before {@code pos}. */
    private static int wordAt(int[] starts, int pos) {
        int lo = 0;
        int hi = starts.length - 1;
        int found = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= pos) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    private static boolean isByteLevel(PreTokenizer p) {
        if (p instanceof ByteLevel) {
            return true;
        }
        if (p instanceof PreTokenizerSequence seq) {
            for (PreTokenizer q : seq.preTokenizers()) {
                if (isByteLevel(q)) {
                    return true;
                }
            }
        }
        return false;
    }
}
