package dev.distil4j.train.distill;

/**
 * The clean-up the research project's {@code LmSeqsDataset} applies before training, in its order:
 * <ol>
 *   <li>sequences longer than {@code maxModelInputSize} are cut into chunks of {@code maxModelInputSize - 2}
 *       ids (the original cls/sep included, as they are part of the sequence), and each chunk that does not
 *       already start with cls / end with sep gets them added, so every chunk is a well-formed input;</li>
 *   <li>sequences of {@code shortLength} (11) tokens or fewer are removed — this also drops the tiny tail
 *       chunks step 1 can leave;</li>
 *   <li>sequences whose unknown tokens make up {@code maxUnknownRatio} (50%) or more are removed.</li>
 * </ol>
 * Every input sequence must start with cls and end with sep (the dataset asserts this).
 */
public final class SequenceCleaner {

    private SequenceCleaner() {}

    /**
     * @param maxModelInputSize the teacher's maximum input length ({@code max_model_input_sizes}; 512 for BERT)
     * @param shortLength sequences with at most this many tokens are removed (11 in the research project)
     * @param maxUnknownRatio sequences with {@code unknown / length >= maxUnknownRatio} are removed (0.5)
     */
    public record Options(int maxModelInputSize, int shortLength, double maxUnknownRatio) {
        /** The research project's values with BERT's 512 positions. */
        public static final Options DEFAULT = new Options(512, 11, 0.5);

        public Options {
            if (maxModelInputSize < 3) {
                throw new IllegalArgumentException("maxModelInputSize must leave room for cls, one token and sep");
            }
            if (shortLength < 0) {
                throw new IllegalArgumentException("shortLength must be >= 0");
            }
            if (!(maxUnknownRatio > 0 && maxUnknownRatio <= 1)) {
                throw new IllegalArgumentException("maxUnknownRatio must be in (0, 1]");
            }
        }

        public Options withMaxModelInputSize(int n) {
            return new Options(n, shortLength, maxUnknownRatio);
        }
    }

    /**
     * The cleaned sequences and what was done (the research project logs the same numbers).
     *
     * @param splitSequences input sequences that were longer than the maximum and were chunked
     * @param removedShort sequences (after chunking) removed as too short
     * @param removedUnknown sequences removed for too many unknown tokens
     */
    public record Result(TokenSequences sequences, int splitSequences, int removedShort, int removedUnknown) {}

    /** Applies the three steps; {@code specials.unk() == -1} skips the unknown-token step. */
    public static Result clean(TokenSequences input, SpecialTokenIds specials, Options options) {
        int cls = specials.cls();
        int sep = specials.sep();
        int maxLen = options.maxModelInputSize();
        int chunk = maxLen - 2;
        int[] ids = input.flatIds();
        TokenSequences.Builder out = TokenSequences.builder();
        int[] counts = new int[3]; // kept, too short, too many unknown
        int split = 0;
        int[] buf = new int[maxLen];
        for (int s = 0; s < input.size(); s++) {
            int off = input.offset(s);
            int len = input.length(s);
            if (len == 0 || ids[off] != cls || ids[off + len - 1] != sep) {
                throw new IllegalArgumentException("sequence " + s + " does not start with cls (" + cls
                        + ") and end with sep (" + sep + ")");
            }
            if (len <= maxLen) {
                counts[filter(out, ids, off, len, specials.unk(), options)]++;
                continue;
            }
            split++;
            for (int c = 0; c < len; c += chunk) {
                int end = Math.min(len, c + chunk);
                int n = 0;
                if (ids[off + c] != cls) {
                    buf[n++] = cls;
                }
                System.arraycopy(ids, off + c, buf, n, end - c);
                n += end - c;
                if (ids[off + end - 1] != sep) {
                    buf[n++] = sep;
                }
                counts[filter(out, buf, 0, n, specials.unk(), options)]++;
            }
        }
        return new Result(out.build(), split, counts[1], counts[2]);
    }

    /** Appends {@code ids[off, off + len)} when it passes both filters; returns 0 (kept), 1 (short) or 2 (unknown). */
    private static int filter(TokenSequences.Builder out, int[] ids, int off, int len, int unk, Options options) {
        if (len <= options.shortLength()) {
            return 1;
        }
        if (unk >= 0) {
            int u = 0;
            for (int i = off; i < off + len; i++) {
                if (ids[i] == unk) {
                    u++;
                }
            }
            if (!((double) u / len < options.maxUnknownRatio())) {
                return 2;
            }
        }
        out.add(ids, off, off + len);
        return 0;
    }
}
