package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.model.HeadType;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Side;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TruncationStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Hugging Face's {@code pipeline("question-answering")} (extractive QA) as transformers 4.28.1 runs it
 * with a fast tokenizer: the answer is the span of the context with the highest
 * {@code p(start) · p(end)}. Immutable and thread-safe.
 *
 * <pre>{@code
 * try (PipelineModel m = PipelineModel.load(Path.of("distilbert-base-cased-distilled-squad"))) {
 *     var qa = new QuestionAnswering(m);
 *     Answer best = qa.predict("Where do I live?", "My name is Wolfgang and I live in Berlin").get(0);
 *     JsonNode json = QuestionAnswering.toHfJson(best);  // {"score":…, "start":33, "end":39, "answer":"Berlin"}
 * }
 * }</pre>
 *
 * <p>A context longer than {@code max_seq_len} (with the question and special tokens) is cut into
 * windows that share {@code doc_stride} tokens (fast tokenizers' meaning of the stride: overlap, not
 * step); every window gets its own softmax and contributes its {@code top_k} best spans, which are
 * then sorted together without removing duplicates. The question is never truncated: one that leaves
 * no room for the context is an error.
 */
public final class QuestionAnswering {

    /** One question about one context. Neither may be empty. */
    public record Input(String question, String context) {
        public Input {
            Objects.requireNonNull(question, "question");
            Objects.requireNonNull(context, "context");
        }
    }

    /**
     * Options, defaults as in Hugging Face.
     *
     * @param topK                   how many answers (1); fewer come back when the context has fewer spans
     * @param handleImpossibleAnswer also offer the empty answer ({@code start = end = 0}), scored with the
     *                               smallest {@code p_start[CLS] · p_end[CLS]} over the windows
     * @param maxAnswerLen           longest answer in tokens (15)
     * @param alignToWords           widen the span to whole words of the pre-tokenizer (true)
     * @param docStride              tokens shared by consecutive windows; null = {@code min(maxSeqLen / 2, 128)}
     * @param maxSeqLen              window length in tokens, question and special tokens included;
     *                               null = {@code min(model max length, 384)}
     * @param maxQuestionLen         accepted for compatibility: Hugging Face's fast-tokenizer path ignores it
     *                               (only its slow path truncates questions), and so does distil4j (64)
     */
    public record Options(int topK, boolean handleImpossibleAnswer, int maxAnswerLen, boolean alignToWords,
                          Integer docStride, Integer maxSeqLen, int maxQuestionLen) {
        public Options {
            if (topK < 1) throw new IllegalArgumentException("top_k parameter should be >= 1 (got " + topK + ")");
            if (maxAnswerLen < 1) {
                throw new IllegalArgumentException("max_answer_len parameter should be >= 1 (got " + maxAnswerLen + ")");
            }
            if (docStride != null && docStride < 0) throw new IllegalArgumentException("doc_stride must be >= 0, got " + docStride);
            if (maxSeqLen != null && maxSeqLen < 1) throw new IllegalArgumentException("max_seq_len must be >= 1, got " + maxSeqLen);
        }

        public static Options defaults() {
            return new Options(1, false, 15, true, null, null, 64);
        }

        public Options withTopK(int k) {
            return new Options(k, handleImpossibleAnswer, maxAnswerLen, alignToWords, docStride, maxSeqLen, maxQuestionLen);
        }

        public Options withHandleImpossibleAnswer(boolean v) {
            return new Options(topK, v, maxAnswerLen, alignToWords, docStride, maxSeqLen, maxQuestionLen);
        }

        public Options withMaxAnswerLen(int n) {
            return new Options(topK, handleImpossibleAnswer, n, alignToWords, docStride, maxSeqLen, maxQuestionLen);
        }

        public Options withAlignToWords(boolean v) {
            return new Options(topK, handleImpossibleAnswer, maxAnswerLen, v, docStride, maxSeqLen, maxQuestionLen);
        }

        public Options withDocStride(Integer n) {
            return new Options(topK, handleImpossibleAnswer, maxAnswerLen, alignToWords, n, maxSeqLen, maxQuestionLen);
        }

        public Options withMaxSeqLen(Integer n) {
            return new Options(topK, handleImpossibleAnswer, maxAnswerLen, alignToWords, docStride, n, maxQuestionLen);
        }

        public Options withMaxQuestionLen(int n) {
            return new Options(topK, handleImpossibleAnswer, maxAnswerLen, alignToWords, docStride, maxSeqLen, n);
        }
    }

    /**
     * One answer.
     *
     * @param score          the float32 probability, as NumPy computes it
     * @param start          Java {@code String} (UTF-16) index of the answer in the context
     * @param end            UTF-16 index after the answer
     * @param answer         {@code context.substring(start, end)}; empty for the impossible answer (and, as in
     *                       Hugging Face, for the zero-score filler spans a huge {@code top_k} can reach)
     * @param codePointStart {@code start} in code points: what Hugging Face (Python) reports
     * @param codePointEnd   {@code end} in code points
     */
    public record Answer(float score, int start, int end, String answer, int codePointStart, int codePointEnd) {
        public Answer {
            Objects.requireNonNull(answer, "answer");
        }
    }

    private final PipelineModel model;
    private final int batchSize;

    /** Default number of windows per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 8;

    public QuestionAnswering(PipelineModel model) {
        this(model, DEFAULT_BATCH_SIZE);
    }

    /**
     * @param batchSize how many windows one forward pass takes; results do not depend on it beyond
     *                  float rounding in padded batches
     */
    public QuestionAnswering(PipelineModel model, int batchSize) {
        this.model = Objects.requireNonNull(model, "model");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (model.model().headType() != HeadType.QUESTION_ANSWERING) {
            throw new IllegalArgumentException("question answering needs a question-answering model; "
                    + model.dir() + " has a " + model.model().headType() + " head");
        }
        this.batchSize = batchSize;
    }

    /** Loads the model directory (it must have a question-answering head); close {@link #model()} when done. */
    public static QuestionAnswering load(Path dir) {
        return new QuestionAnswering(PipelineModel.load(dir));
    }

    public PipelineModel model() {
        return model;
    }

    /** The best answer first; a list of one by default ({@code top_k} 1). */
    public List<Answer> predict(String question, String context) {
        return predict(question, context, Options.defaults());
    }

    public List<Answer> predict(String question, String context, Options options) {
        return predictBatch(List.of(new Input(question, context)), options).get(0);
    }

    /** One answer list per input, in order, each sorted best first. */
    public List<List<Answer>> predictBatch(List<Input> inputs, Options options) {
        return predictPrepared(prepare(inputs, options), options);
    }

    /**
     * One (question, context) pair cut into the windows the model runs, for {@link #predictPrepared}
     * with the same options.
     */
    public static final class Prepared implements PreparedInput {
        private final Input input;
        private final List<Window> windows;

        private Prepared(Input input, List<Window> windows) {
            this.input = input;
            this.windows = List.copyOf(windows);
        }

        public Input input() {
            return input;
        }

        @Override
        public int tokens() {
            int n = 0;
            for (Window w : windows) n += w.enc.length();
            return n;
        }

        @Override
        public int windows() {
            return windows.size();
        }

        /**
         * The most answers this input can get with {@code options}: {@code top_k}, capped at the
         * (start, end) pairs of its windows (plus the impossible answer when asked for).
         */
        public long maxAnswers(Options options) {
            long spans = options.handleImpossibleAnswer() ? 1 : 0;
            for (Window w : windows) spans += (long) w.enc.length() * w.enc.length();
            return Math.min(options.topK(), spans);
        }
    }

    /** Cuts each input into windows for {@link #predictPrepared}; the argument checks of {@link #predictBatch}. */
    public List<Prepared> prepare(List<Input> inputs, Options options) {
        Geometry g = geometry(options);
        List<Prepared> out = new ArrayList<>(inputs.size());
        for (int n = 0; n < inputs.size(); n++) {
            Input in = inputs.get(n);
            count(where(inputs, n), in, g);
            out.add(new Prepared(in, windows(in, g)));
        }
        return out;
    }

    /**
     * How many windows each input takes with these options, from the lengths of its question and
     * context alone, without building the windows (a caller can refuse a long context before it
     * becomes thousands of windows); the argument checks of {@link #prepare}.
     */
    public int[] windowCounts(List<Input> inputs, Options options) {
        Geometry g = geometry(options);
        int[] out = new int[inputs.size()];
        for (int n = 0; n < out.length; n++) out[n] = count(where(inputs, n), inputs.get(n), g);
        return out;
    }

    /** Window length and overlap, in tokens. */
    private record Geometry(int maxSeqLen, int docStride) {}

    private Geometry geometry(Options options) {
        Objects.requireNonNull(options, "options");
        int maxSeqLen = options.maxSeqLen() != null ? options.maxSeqLen() : Math.min(model.maxLength(), 384);
        int docStride = options.docStride() != null ? options.docStride() : Math.min(maxSeqLen / 2, 128);
        if (docStride > maxSeqLen) {
            throw new IllegalArgumentException("`doc_stride` (" + docStride + ") is larger than `max_seq_len` (" + maxSeqLen + ")");
        }
        if (maxSeqLen > model.maxLength()) {
            throw new IllegalArgumentException("max_seq_len " + maxSeqLen + " exceeds the model's maximum length "
                    + model.maxLength());
        }
        return new Geometry(maxSeqLen, docStride);
    }

    /** Names the input in messages only when there are several. */
    private static String where(List<Input> inputs, int n) {
        return inputs.size() > 1 ? "input " + n + ": " : "";
    }

    /** Answers for inputs {@link #prepare}d with the same options: one list per input, in order, each best first. */
    public List<List<Answer>> predictPrepared(List<Prepared> inputs, Options options) {
        Objects.requireNonNull(options, "options");
        List<Window> windows = new ArrayList<>();
        for (Prepared p : inputs) windows.addAll(p.windows);
        float[][][] logits = runModel(windows);
        List<List<Answer>> out = new ArrayList<>(inputs.size());
        int w = 0;
        for (Prepared p : inputs) {
            int n = p.windows.size();
            out.add(answers(p.input.context(), p.windows, java.util.Arrays.copyOfRange(logits, w, w + n), options));
            w += n;
        }
        return List.copyOf(out);
    }

    /** One model input: a window of the context with the question. */
    private record Window(Encoding enc, boolean[] allowed, int contextSequence) {}

    private List<Window> windows(Input in, Geometry g) {
        int maxSeqLen = g.maxSeqLen(), docStride = g.docStride();
        Tokenizer tok = model.tokenizer();
        // HF puts the question first unless the tokenizer pads on the left
        boolean questionFirst = tok.config().paddingSide() == Side.RIGHT;
        String first = questionFirst ? in.question() : in.context();
        String second = questionFirst ? in.context() : in.question();
        EncodeOptions opts = EncodeOptions.builder()
                .truncation(questionFirst ? TruncationStrategy.ONLY_SECOND : TruncationStrategy.ONLY_FIRST)
                .maxLength(maxSeqLen)
                .stride(docStride)
                .build();
        Encoding e = tok.encode(first, second, opts);
        List<Encoding> encs = new ArrayList<>();
        encs.add(Batches.alone(e));
        encs.addAll(e.overflowing());
        int cls = tok.clsTokenId();
        List<Window> out = new ArrayList<>(encs.size());
        for (Encoding w : encs) {
            boolean[] allowed = new boolean[w.length()];
            for (int i = 0; i < allowed.length; i++) {
                // HF's p_mask: only context tokens with a question first; with the context first its
                // p_mask is all zeros (every token allowed), reproduced as is
                boolean ok = !questionFirst || w.sequenceIdAt(i) == 1 || (cls >= 0 && w.idAt(i) == cls);
                allowed[i] = ok && w.attentionMaskAt(i) == 1;
            }
            out.add(new Window(w, allowed, questionFirst ? 1 : 0));
        }
        return out;
    }

    /**
     * The number of windows of one input; refuses what the Rust tokenizer refuses, with the numbers: an
     * empty question or context, a question leaving no room for the context, and a stride not below
     * that room ({@code assertion failed: stride < max_len}).
     */
    private int count(String where, Input in, Geometry g) {
        if (in.question().isEmpty()) throw new IllegalArgumentException(where + "`question` cannot be empty");
        if (in.context().isEmpty()) throw new IllegalArgumentException(where + "`context` cannot be empty");
        Tokenizer tok = model.tokenizer();
        int maxSeqLen = g.maxSeqLen(), docStride = g.docStride();
        // counted part by part, without keeping tokens: a long context is refused before it is tokenised whole
        int q = tok.countTokens(in.question(), Integer.MAX_VALUE);
        int c = tok.countTokens(in.context(), Integer.MAX_VALUE);
        int specials = tok.numSpecialTokensToAdd(true);
        if (q + c + specials <= maxSeqLen) return 1;   // one window, nothing truncated
        int room = maxSeqLen - specials - q;
        if (room <= 0) {
            throw new IllegalArgumentException(where + "the question takes " + q + " tokens, which with " + specials
                    + " special tokens leaves no room for the context in max_seq_len " + maxSeqLen
                    + "; raise max_seq_len or shorten the question");
        }
        if (docStride >= room) {
            throw new IllegalArgumentException(where + "doc_stride " + docStride + " must be less than the "
                    + room + " context tokens a window holds (max_seq_len " + maxSeqLen + " - " + q
                    + " question tokens - " + specials + " special tokens)");
        }
        return Batches.overflowWindows(c, room, docStride);
    }

    /** Per window its start and end logits ({@code [window][0 or 1][token]}). */
    private float[][][] runModel(List<Window> windows) {
        List<Batches.Sequence> seqs = new ArrayList<>(windows.size());
        for (Window w : windows) seqs.add(new Batches.Sequence(w.enc.ids(), w.enc.typeIds()));
        float[][][] out = new float[windows.size()][][];
        Batches.run(model, seqs, batchSize, 2, (i, o, row, length) -> {
            int longest = o.startLogits().dim(1);
            float[] start = new float[length], end = new float[length];
            System.arraycopy(o.startLogits().data(), row * longest, start, 0, length);
            System.arraycopy(o.endLogits().data(), row * longest, end, 0, length);
            out[i] = new float[][] {start, end};
        });
        return out;
    }

    /** HF's postprocess: per window softmax and top_k spans, then all windows sorted together. */
    private static List<Answer> answers(String context, List<Window> windows, float[][][] logits, Options o) {
        List<Answer> answers = new ArrayList<>();
        float minNull = 1_000_000f;
        for (int k = 0; k < windows.size(); k++) {
            Window w = windows.get(k);
            float[] start = probabilities(logits[k][0], w.allowed);
            float[] end = probabilities(logits[k][1], w.allowed);
            if (o.handleImpossibleAnswer()) minNull = Math.min(minNull, start[0] * end[0]);
            start[0] = 0f;
            end[0] = 0f;
            for (long span : topSpans(start, end, o.topK(), o.maxAnswerLen())) {
                int s = (int) (span >>> 32), e = (int) span;
                if (!w.allowed[s] || !w.allowed[e]) continue;
                // outside the triu/tril band the candidate matrix holds 0
                float score = e >= s && e - s < o.maxAnswerLen() ? start[s] * end[e] : 0f;
                answers.add(answer(context, w, s, e, score, o.alignToWords()));
            }
        }
        if (o.handleImpossibleAnswer()) answers.add(new Answer(minNull, 0, 0, "", 0, 0));
        answers.sort(Comparator.comparingDouble((Answer a) -> a.score()).reversed());  // stable, like Python's sorted
        return List.copyOf(answers.subList(0, Math.min(o.topK(), answers.size())));
    }

    /** Softmax over the window with non-answer tokens at -10000, in float32 as NumPy. */
    private static float[] probabilities(float[] logits, boolean[] allowed) {
        int n = logits.length;
        float[] x = new float[n];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            x[i] = allowed[i] ? logits[i] : -10000f;
            max = Math.max(max, x[i]);
        }
        for (int i = 0; i < n; i++) x[i] = NumpyF32.exp(x[i] - max);
        float sum = NumpyF32.sum(x, 0, n);
        for (int i = 0; i < n; i++) x[i] = x[i] / sum;
        return x;
    }

    /**
     * The {@code k} best (start, end) pairs of {@code triu/tril(start ⊗ end, max_answer_len - 1)},
     * packed as {@code start << 32 | end}: highest product first, ties in row-major order (what
     * {@code np.argmax} does for k = 1). When fewer spans than {@code k} have a non-zero score, zero
     * spans follow in row-major order (NumPy's partition order for those ties is unspecified).
     */
    private static long[] topSpans(float[] start, float[] end, int k, int maxAnswerLen) {
        int n = start.length;
        k = (int) Math.min(k, (long) n * n); // there are no more pairs than that, whatever top_k asks
        List<float[]> positive = new ArrayList<>();   // {score, start, end}
        for (int i = 0; i < n; i++) {
            if (start[i] == 0f) continue;
            for (int j = i; j < n && j - i < maxAnswerLen; j++) {
                float v = start[i] * end[j];
                if (v > 0f) positive.add(new float[] {v, i, j});
            }
        }
        positive.sort((a, b) -> {
            int c = Float.compare(b[0], a[0]);
            if (c != 0) return c;
            c = Float.compare(a[1], b[1]);
            return c != 0 ? c : Float.compare(a[2], b[2]);
        });
        int m = Math.min(k, positive.size());
        List<Long> out = new ArrayList<>(k);
        for (int t = 0; t < m; t++) {
            float[] p = positive.get(t);
            out.add(((long) (int) p[1] << 32) | (int) p[2]);
        }
        for (int i = 0; i < n && out.size() < k; i++) {
            for (int j = 0; j < n && out.size() < k; j++) {
                boolean inBand = j >= i && j - i < maxAnswerLen;
                if (!inBand || start[i] * end[j] == 0f) out.add(((long) i << 32) | j);
            }
        }
        long[] r = new long[out.size()];
        for (int t = 0; t < r.length; t++) r[t] = out.get(t);
        return r;
    }

    /** HF's {@code get_indices}: token span to character span, widened to words when asked. */
    private static Answer answer(String context, Window w, int s, int e, float score, boolean alignToWords) {
        Encoding enc = w.enc;
        int first = s, last = e;
        if (alignToWords) {
            int ws = enc.wordIdAt(s), we = enc.wordIdAt(e);
            int[] ts = ws == Encoding.NONE ? null : enc.wordToTokens(ws, w.contextSequence);
            int[] te = we == Encoding.NONE ? null : enc.wordToTokens(we, w.contextSequence);
            // like HF, any failure to find the words falls back to the token offsets
            if (ts != null && te != null) {
                first = ts[0];
                last = te[1] - 1;
            }
        }
        int start = enc.startAt(first), end = enc.endAt(last);
        // a zero-score span may end on CLS (offsets 0, 0): Python's slice then gives "", so do we
        String text = start <= end ? context.substring(start, end) : "";
        return new Answer(score, start, end, text, enc.codePointStartAt(first), enc.codePointEndAt(last));
    }

    // ---------------------------------------------------------------- Hugging Face JSON

    /**
     * A call as the pipeline (and the Inference API) takes it.
     *
     * @param inputs  the (question, context) pairs
     * @param list    whether {@code inputs} was a list (a list of one still unwraps, as in transformers)
     * @param options top_k, doc_stride, ...
     */
    public record HfRequest(List<Input> inputs, boolean list, Options options) {
        public HfRequest {
            inputs = List.copyOf(inputs);
            Objects.requireNonNull(options, "options");
        }

        /**
         * Parses {@code inputs} ({@code {"question", "context"}} or a list of them) and {@code parameters}:
         * {@code top_k} (or the deprecated {@code topk}), {@code doc_stride}, {@code max_answer_len},
         * {@code max_seq_len}, {@code max_question_len}, {@code handle_impossible_answer}, {@code align_to_words}.
         */
        public static HfRequest parse(JsonNode inputs, JsonNode parameters) {
            return parse(inputs, parameters, Options.defaults());
        }

        /** As {@link #parse(JsonNode, JsonNode)}, with {@code parameters} applied over {@code base} instead of the defaults. */
        public static HfRequest parse(JsonNode inputs, JsonNode parameters, Options base) {
            List<Input> in = new ArrayList<>();
            boolean list;
            if (inputs != null && inputs.isObject()) {
                in.add(input(inputs));
                list = false;
            } else if (inputs != null && inputs.isArray() && !inputs.isEmpty()) {
                for (JsonNode n : inputs) in.add(input(n));
                list = true;
            } else {
                throw new IllegalArgumentException("question-answering \"inputs\" must be {\"question\": ..., \"context\": ...}"
                        + " or a non-empty list of such objects");
            }
            Options o = Objects.requireNonNull(base, "base");
            if (parameters == null || parameters.isNull()) return new HfRequest(in, list, o);
            if (!parameters.isObject()) throw new IllegalArgumentException("\"parameters\" must be an object");
            for (var it = parameters.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                if (v.isNull()) continue;
                o = switch (e.getKey()) {
                    case "top_k", "topk" -> o.withTopK(integer(e.getKey(), v));
                    case "doc_stride" -> o.withDocStride(integer(e.getKey(), v));
                    case "max_answer_len" -> o.withMaxAnswerLen(integer(e.getKey(), v));
                    case "max_seq_len" -> o.withMaxSeqLen(integer(e.getKey(), v));
                    case "max_question_len" -> o.withMaxQuestionLen(integer(e.getKey(), v));
                    case "handle_impossible_answer" -> o.withHandleImpossibleAnswer(bool(e.getKey(), v));
                    case "align_to_words" -> o.withAlignToWords(bool(e.getKey(), v));
                    default -> throw new IllegalArgumentException("unknown question-answering parameter \"" + e.getKey()
                            + "\" (top_k, doc_stride, max_answer_len, max_seq_len, max_question_len, "
                            + "handle_impossible_answer, align_to_words)");
                };
            }
            return new HfRequest(in, list, o);
        }

        private static Input input(JsonNode n) {
            JsonNode q = n.get("question"), c = n.get("context");
            if (!n.isObject() || q == null || c == null) {
                throw new IllegalArgumentException("each question-answering input needs \"question\" and \"context\", got " + n);
            }
            if (!q.isTextual() || !c.isTextual()) {
                throw new IllegalArgumentException("\"question\" and \"context\" must be strings, got " + n);
            }
            return new Input(q.asText(), c.asText());
        }

        private static int integer(String key, JsonNode v) {
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new IllegalArgumentException(key + " must be an integer, got " + v);
            return v.asInt();
        }

        private static boolean bool(String key, JsonNode v) {
            if (!v.isBoolean()) throw new IllegalArgumentException(key + " must be true or false, got " + v);
            return v.asBoolean();
        }
    }

    /** Runs a request and renders it as the pipeline returns it. */
    public JsonNode callHf(HfRequest request) {
        return toHfJson(request.list(), predictBatch(request.inputs(), request.options()));
    }

    /** {@code pipeline(inputs, **parameters)} in JSON. */
    public JsonNode callHf(JsonNode inputs, JsonNode parameters) {
        return callHf(HfRequest.parse(inputs, parameters));
    }

    /**
     * Several inputs' answers as the pipeline returns them: a list of per-input results for a list
     * input, except that, as in transformers, a list of one gives that one result bare.
     */
    public static JsonNode toHfJson(boolean listInput, List<List<Answer>> results) {
        if (!listInput || results.size() == 1) {
            if (results.size() != 1) throw new IllegalArgumentException("a single input has one result, got " + results.size());
            return toHfJson(results.get(0));
        }
        ArrayNode a = HfJson.array();
        for (List<Answer> r : results) a.add(toHfJson(r));
        return a;
    }

    /**
     * One input's answers: a single answer as an object {@code {"score", "start", "end", "answer"}},
     * several (or none) as a list; offsets in code points.
     */
    public static JsonNode toHfJson(List<Answer> answers) {
        if (answers.size() == 1) return toHfJson(answers.get(0));
        ArrayNode a = HfJson.array();
        for (Answer x : answers) a.add(toHfJson(x));
        return a;
    }

    public static ObjectNode toHfJson(Answer x) {
        ObjectNode o = HfJson.object();
        o.set("score", HfJson.score(x.score()));
        o.put("start", x.codePointStart());
        o.put("end", x.codePointEnd());
        o.put("answer", x.answer());
        return o;
    }
}
