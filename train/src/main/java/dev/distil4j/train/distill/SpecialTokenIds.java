package dev.distil4j.train.distill;

import dev.distil4j.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The special token ids the distillation data pipeline needs: {@code cls}/{@code sep} wrap every sequence
 * (also every chunk of a split one), {@code pad} fills batches, {@code mask} replaces selected tokens and
 * {@code unk} drives the removal of mostly-unknown sequences. The research project's train.py takes them from
 * the teacher tokenizer's {@code special_tokens_map}; {@link #all()} are the ids whose masking probability it
 * sets to zero.
 *
 * @param unk -1 when the tokenizer has no unknown token (then no sequence is removed for unknown tokens)
 * @param bos -1 when absent (BERT); RoBERTa's {@code <s>}, the same id as its {@code cls}
 * @param eos -1 when absent (BERT); RoBERTa's {@code </s>}, the same id as its {@code sep}
 */
public record SpecialTokenIds(int cls, int sep, int pad, int mask, int unk, int bos, int eos) {

    public SpecialTokenIds {
        if (cls < 0 || sep < 0 || pad < 0 || mask < 0) {
            throw new IllegalArgumentException("masked-LM distillation needs cls, sep, pad and mask tokens (got cls="
                    + cls + ", sep=" + sep + ", pad=" + pad + ", mask=" + mask + ")");
        }
        if (unk < -1 || bos < -1 || eos < -1) {
            throw new IllegalArgumentException("absent special tokens are -1");
        }
    }

    /** BERT-style: no bos/eos. */
    public SpecialTokenIds(int cls, int sep, int pad, int mask, int unk) {
        this(cls, sep, pad, mask, unk, -1, -1);
    }

    /** The teacher tokenizer's special tokens (its configured cls, sep, pad, mask, unk, bos, eos). */
    public static SpecialTokenIds of(Tokenizer tokenizer) {
        return new SpecialTokenIds(tokenizer.clsTokenId(), tokenizer.sepTokenId(), tokenizer.padTokenId(),
                tokenizer.maskTokenId(), Math.max(-1, tokenizer.unkTokenId()), Math.max(-1, tokenizer.bosTokenId()),
                Math.max(-1, tokenizer.eosTokenId()));
    }

    /** The distinct ids present, ascending: the tokens that are never selected for prediction. */
    public int[] all() {
        return IntStream.of(cls, sep, pad, mask, unk, bos, eos).filter(i -> i >= 0).distinct().sorted().toArray();
    }

    /** True when {@code id} is one of {@link #all()}. */
    public boolean isSpecial(int id) {
        return Arrays.binarySearch(all(), id) >= 0;
    }
}
