package dev.distil4j.train.data;

import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Side;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TruncationStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Cuts QA examples into model windows as {@code run_qa.py}'s {@code prepare_train_features} and
 * {@code prepare_validation_features} do: question first and context second (the other way round for a
 * tokenizer that pads on the left), only the context truncated, a context too long for one window continued
 * in further windows that overlap by {@code docStride} tokens, so that every answer lies wholly inside at
 * least one window (given a stride at least as long as the answer).
 *
 * @param tokenizer the model's tokenizer
 * @param maxLength window length in tokens, question and special tokens included (run_qa's
 *                  {@code max_seq_length}, 384); above the tokenizer's {@code model_max_length} it is lowered
 *                  to that, as run_qa does
 * @param docStride tokens of context shared by consecutive windows (run_qa's {@code doc_stride}, 128; an
 *                  overlap, not a step)
 */
public record QaEncoder(Tokenizer tokenizer, int maxLength, int docStride) {
    public static final int DEFAULT_MAX_LENGTH = 384;
    public static final int DEFAULT_DOC_STRIDE = 128;

    public QaEncoder {
        Objects.requireNonNull(tokenizer, "tokenizer");
        if (maxLength < 1 || docStride < 0) {
            throw new IllegalArgumentException("maxLength must be >= 1 and docStride >= 0, got " + maxLength + ", "
                    + docStride);
        }
        maxLength = Math.min(maxLength, tokenizer.modelMaxLength());
    }

    /** run_qa.py's defaults: 384 tokens (or the model's maximum), stride 128. */
    public static QaEncoder of(Tokenizer tokenizer) {
        return new QaEncoder(tokenizer, DEFAULT_MAX_LENGTH, DEFAULT_DOC_STRIDE);
    }

    /**
     * Training windows of one example, labelled with the first gold answer's token span; a window that
     * does not hold the whole answer, and every window of an unanswerable question, points at CLS.
     *
     * <p>The span is found as run_qa finds it (the last token starting at or before the answer's first
     * character, the first token ending at or after its last), except that the scans stop at the edge of
     * the context: run_qa's start scan runs on into the final {@code [SEP]} and padding (offsets 0, 0), so an
     * answer that starts on the last context token of a window gets a start position after its end there.
     */
    public List<QaTrainFeature> trainFeatures(QaExample e) {
        boolean questionFirst = questionFirst();
        int contextSeq = questionFirst ? 1 : 0;
        List<QaTrainFeature> out = new ArrayList<>();
        for (Encoding w : windows(e)) {
            int cls = clsIndex(w);
            int start = cls;
            int end = cls;
            if (!e.answers().isEmpty()) {
                QaExample.Answer a = e.answers().get(0);
                int startChar = a.start();
                int endChar = a.end();
                int first = 0;
                while (first < w.length() && w.sequenceIdAt(first) != contextSeq) {
                    first++;
                }
                int last = w.length() - 1;
                while (last >= 0 && w.sequenceIdAt(last) != contextSeq) {
                    last--;
                }
                if (first <= last && w.startAt(first) <= startChar && w.endAt(last) >= endChar) {
                    // the first token starting after the answer start, minus one; the last token ending
                    // before the answer end, plus one
                    int s = first;
                    while (s < w.length() && w.sequenceIdAt(s) == contextSeq && w.startAt(s) <= startChar) {
                        s++;
                    }
                    int t = last;
                    while (t >= 0 && w.sequenceIdAt(t) == contextSeq && w.endAt(t) >= endChar) {
                        t--;
                    }
                    start = s - 1;
                    end = t + 1;
                }
            }
            out.add(new QaTrainFeature(e.id(), w.ids(), w.attentionMask(), w.typeIds(), start, end));
        }
        return out;
    }

    public List<QaTrainFeature> trainFeatures(List<QaExample> examples) {
        List<QaTrainFeature> out = new ArrayList<>();
        for (QaExample e : examples) {
            out.addAll(trainFeatures(e));
        }
        return out;
    }

    /** Evaluation windows of one example, each with the example id and the context offsets of its tokens. */
    public List<QaEvalFeature> validationFeatures(QaExample e) {
        int contextSeq = questionFirst() ? 1 : 0;
        List<QaEvalFeature> out = new ArrayList<>();
        for (Encoding w : windows(e)) {
            int[][] offsets = new int[w.length()][];
            for (int i = 0; i < offsets.length; i++) {
                if (w.sequenceIdAt(i) == contextSeq) {
                    offsets[i] = new int[] {w.startAt(i), w.endAt(i)};
                }
            }
            out.add(new QaEvalFeature(e.id(), w.ids(), w.attentionMask(), w.typeIds(), offsets));
        }
        return out;
    }

    public List<QaEvalFeature> validationFeatures(List<QaExample> examples) {
        List<QaEvalFeature> out = new ArrayList<>();
        for (QaExample e : examples) {
            out.addAll(validationFeatures(e));
        }
        return out;
    }

    private boolean questionFirst() {
        return tokenizer.config().paddingSide() != Side.LEFT;
    }

    /** The windows of one example; run_qa strips the question's leading whitespace, which would only waste room. */
    private List<Encoding> windows(QaExample e) {
        String question = e.question().stripLeading();
        boolean questionFirst = questionFirst();
        checkRoom(e, question);
        EncodeOptions opts = EncodeOptions.builder()
                .truncation(questionFirst ? TruncationStrategy.ONLY_SECOND : TruncationStrategy.ONLY_FIRST)
                .maxLength(maxLength)
                .stride(docStride)
                .build();
        Encoding enc = questionFirst ? tokenizer.encode(question, e.context(), opts)
                : tokenizer.encode(e.context(), question, opts);
        List<Encoding> all = new ArrayList<>(1 + enc.overflowing().size());
        all.add(enc);
        all.addAll(enc.overflowing());
        return all;
    }

    /**
     * A question that leaves no room for the context, or a stride not below that room, cannot be windowed
     * (Hugging Face's fast tokenizers refuse both); say so with the question's place in its file.
     */
    private void checkRoom(QaExample e, String question) {
        EncodeOptions bare = EncodeOptions.DEFAULT.withAddSpecialTokens(false);
        int q = tokenizer.encode(question, bare).length();
        int c = tokenizer.encode(e.context(), bare).length();
        int specials = tokenizer.numSpecialTokensToAdd(true);
        if (q + c + specials <= maxLength) {
            return;
        }
        int room = maxLength - specials - q;
        String where = "question '" + e.id() + "'";
        if (room <= 0) {
            throw new DataFormatException(e.origin(), where, "the question takes " + q + " tokens, which with "
                    + specials + " special tokens leaves no room for the context in " + maxLength + " tokens");
        }
        if (docStride >= room) {
            throw new DataFormatException(e.origin(), where, "doc stride " + docStride + " must be less than the "
                    + room + " context tokens a window holds (" + maxLength + " - " + q + " question tokens - "
                    + specials + " special tokens)");
        }
    }

    private int clsIndex(Encoding w) {
        int cls = tokenizer.clsTokenId();
        for (int i = 0; cls >= 0 && i < w.length(); i++) {
            if (w.idAt(i) == cls) {
                return i;
            }
        }
        return 0;
    }
}
