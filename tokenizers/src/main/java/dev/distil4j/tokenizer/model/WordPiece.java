package dev.distil4j.tokenizer.model;

import dev.distil4j.tokenizer.TokenizerException;
import dev.distil4j.tokenizer.text.NormalizedString;

/**
 * Greedy longest-match-first WordPiece. A word longer than {@code maxInputCharsPerWord} code points,
 * or one with any piece missing from the vocabulary, becomes a single unknown token covering it all.
 */
public final class WordPiece implements Model {
    private final Vocab vocab;
    private final String unkToken;
    private final int unkId;
    private final String continuingSubwordPrefix;
    private final int[] prefixCps;
    private final int maxInputCharsPerWord;

    public WordPiece(Vocab vocab, String unkToken, String continuingSubwordPrefix, int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.unkId = vocab.get(unkToken);
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.prefixCps = continuingSubwordPrefix.codePoints().toArray();
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    @Override
    public String type() {
        return "WordPiece";
    }

    @Override
    public Vocab vocab() {
        return vocab;
    }

    public String unkToken() {
        return unkToken;
    }

    public String continuingSubwordPrefix() {
        return continuingSubwordPrefix;
    }

    public int maxInputCharsPerWord() {
        return maxInputCharsPerWord;
    }

    private int unk() {
        if (unkId < 0) {
            throw new TokenizerException("WordPiece: the unknown token '" + unkToken + "' is not in the vocabulary");
        }
        return unkId;
    }

    @Override
    public void tokenize(NormalizedString word, TokenSink out) {
        int n = word.length();
        int[] c = word.codePoints();
        if (n > maxInputCharsPerWord) {
            out.token(unk(), 0, n);
            return;
        }
        // Pieces are buffered: one missing piece turns the whole word into [UNK].
        int[] buf = new int[Math.min(n, 64) * 3 + 3];
        int k = 0;
        int start = 0;
        int longest = vocab.maxTokenLength();
        while (start < n) {
            // a piece longer than the longest token cannot match: start the search there
            int end = Math.min(n, start + longest - (start > 0 ? prefixCps.length : 0));
            int id = -1;
            while (start < end) {
                id = vocab.get(start > 0 ? prefixCps : null, c, start, end);
                if (id >= 0) {
                    break;
                }
                end--;
            }
            if (id < 0) {
                out.token(unk(), 0, n);
                return;
            }
            if (k + 3 > buf.length) {
                buf = java.util.Arrays.copyOf(buf, buf.length * 2);
            }
            buf[k++] = id;
            buf[k++] = start;
            buf[k++] = end;
            start = end;
        }
        for (int i = 0; i < k; i += 3) {
            out.token(buf[i], buf[i + 1], buf[i + 2]);
        }
    }
}
