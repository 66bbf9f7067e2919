package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TruncationStrategy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Vectors from the encoder's last hidden state, at three levels:
 * <ul>
 *   <li><b>tokens</b> ({@link #tokens}): one vector per word piece, special tokens included, as
 *       transformers' {@code feature-extraction} pipeline;</li>
 *   <li><b>words</b> ({@link #words}, {@link #document}): one vector per word, as Spark NLP's
 *       {@code DistilBertEmbeddings} / {@code RoBertaEmbeddings}: the word's first piece (Spark NLP's
 *       choice), the mean of its pieces, or its last piece, with the word's character offsets;
 *       words are whitespace/punctuation words ({@link #splitWords}) or the caller's own spans;</li>
 *   <li><b>sentences</b> ({@link #sentence}): one vector per text, as sentence-transformers'
 *       {@code encode}: pooling (CLS, mean, max, mean-sqrt-len), then Dense and Normalize modules,
 *       configured from the model's sentence-transformers files when it has them
 *       ({@link SentenceTransformerConfig}).</li>
 * </ul>
 *
 * <p><b>Offsets</b> are UTF-16 indices into the text given ({@code text.substring(begin, end)} is
 * the word); {@code end} is exclusive, {@code endInclusive() = end - 1} is Spark NLP's {@code end}.
 * In a document, offsets are document offsets and each word carries its sentence's index.
 *
 * <p><b>Long inputs</b> (more tokens than {@link #maxLength()}): {@link LongInputs#TRUNCATE} (the
 * default) cuts them, counting each in {@link #truncatedInputs()}; words past the cut get no pieces
 * and a zero vector. {@link LongInputs#WINDOWS} runs overlapping windows of the maximum length
 * (each with its own [CLS]/[SEP]) and averages, per token, the vectors of the windows holding it;
 * a sentence vector is then the average of the windows' sentence vectors (before a final
 * Normalize, which applies to the average).
 *
 * <p>Sentence level only, as sentence-transformers does: texts are stripped of surrounding
 * whitespace and, with {@code do_lower_case}, lower-cased. Word and token levels use the text as
 * given, so offsets stay valid.
 *
 * <p>Thread-safe. {@link #load} owns its model (close the embeddings); the constructor does not.
 */
public final class Embeddings implements AutoCloseable {
    /** Which pieces of a word make its vector. */
    public enum WordPooling {
        /** the first piece (Spark NLP) */
        FIRST,
        /** the mean of the pieces */
        MEAN,
        /** the last piece */
        LAST
    }

    /** What to do with inputs longer than the model takes. */
    public enum LongInputs { TRUNCATE, WINDOWS }

    /**
     * @param maxLength  tokens per forward pass, special tokens included; 0 = the sentence-transformers
     *                   {@code max_seq_length}, else the model's maximum (never more than the model's maximum)
     * @param longInputs truncate (default) or split into windows
     * @param stride     tokens shared by consecutive windows; -1 = a quarter of the window
     * @param batchSize  sequences per forward pass
     */
    public record Options(int maxLength, LongInputs longInputs, int stride, int batchSize) {
        public Options {
            if (maxLength < 0) throw new IllegalArgumentException("max length must be >= 0, got " + maxLength);
            if (stride < -1) throw new IllegalArgumentException("stride must be >= 0, got " + stride);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
            if (longInputs == null) longInputs = LongInputs.TRUNCATE;
        }

        public static Options defaults() {
            return new Options(0, LongInputs.TRUNCATE, -1, 8);
        }

        public Options withMaxLength(int n) {
            return new Options(n, longInputs, stride, batchSize);
        }

        public Options withLongInputs(LongInputs l) {
            return new Options(maxLength, l, stride, batchSize);
        }

        public Options withStride(int s) {
            return new Options(maxLength, longInputs, s, batchSize);
        }

        public Options withBatchSize(int b) {
            return new Options(maxLength, longInputs, stride, b);
        }
    }

    /** A span of a text, {@code [begin, end)} in UTF-16 indices: a word the caller gives. */
    public record Span(int begin, int end) {
        public Span {
            if (begin < 0 || end <= begin) throw new IllegalArgumentException("a word span needs 0 <= begin < end, got [" + begin + ", " + end + ")");
        }

        public int endInclusive() {
            return end - 1;
        }

        /**
         * Finds words (e.g. Spark NLP tokenizer output) in {@code text}, each at its first
         * occurrence after the previous one.
         *
         * @throws IllegalArgumentException naming the first word that is not found
         */
        public static List<Span> locate(String text, List<String> words) {
            List<Span> out = new ArrayList<>(words.size());
            int from = 0;
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i);
                if (w == null || w.isEmpty()) throw new IllegalArgumentException("word " + i + " is empty");
                int at = text.indexOf(w, from);
                if (at < 0) throw new IllegalArgumentException("word " + i + " \"" + w + "\" is not in the text after offset " + from);
                out.add(new Span(at, at + w.length()));
                from = at + w.length();
            }
            return out;
        }
    }

    /**
     * One word piece.
     *
     * @param index   position in the sequence (0 = [CLS])
     * @param begin   UTF-16 start in the text ({@code 0} for special tokens)
     * @param end     UTF-16 end, exclusive
     * @param special added by the tokenizer ([CLS], [SEP], {@code <s>}, ...)
     * @param word    the tokenizer's word index, -1 for special tokens
     */
    public record TokenEmbedding(int index, int id, String token, int begin, int end, boolean special, int word, float[] vector) {
        public TokenEmbedding {
            vector = vector.clone();
        }

        @Override
        public float[] vector() {
            return vector.clone();
        }
    }

    /**
     * One word: Spark NLP's word embedding annotation.
     *
     * @param word     {@code text.substring(begin, end)}
     * @param begin    UTF-16 start in the text (or document)
     * @param end      UTF-16 end, exclusive; Spark NLP's {@code end} is {@link #endInclusive()}
     * @param sentence the sentence index in a document, 0 for a single text
     * @param pieces   how many word pieces the vector comes from (0: none, e.g. past a truncation; the vector is zeros)
     * @param pieceId  the id of the word's first piece (Spark NLP's {@code pieceId}), -1 when it has none
     */
    public record WordEmbedding(String word, int begin, int end, int sentence, int pieces, int pieceId, float[] vector) {
        public WordEmbedding {
            vector = vector.clone();
        }

        @Override
        public float[] vector() {
            return vector.clone();
        }

        public int endInclusive() {
            return end - 1;
        }
    }

    /** A document's sentences and the vectors of their words (document offsets). */
    public record DocumentEmbeddings(List<SentenceSplitter.Sentence> sentences, List<WordEmbedding> words) {
        public DocumentEmbeddings {
            sentences = List.copyOf(sentences);
            words = List.copyOf(words);
        }
    }

    private final PipelineModel model;
    private final boolean owns;
    private final SentenceTransformerConfig sentenceConfig;
    private final Options options;
    private final AtomicLong truncated = new AtomicLong();

    /**
     * Uses {@code model}'s encoder (a head, if any, also runs; {@link #load} loads none). Not closed by {@link #close()}.
     *
     * @param sentenceConfig sentence pooling; null = mean pooling without normalisation
     */
    public Embeddings(PipelineModel model, SentenceTransformerConfig sentenceConfig, Options options) {
        this(model, false, sentenceConfig, options);
    }

    private Embeddings(PipelineModel model, boolean owns, SentenceTransformerConfig sentenceConfig, Options options) {
        this.model = model;
        this.owns = owns;
        this.sentenceConfig = sentenceConfig != null ? sentenceConfig : SentenceTransformerConfig.defaults(model.dir());
        this.options = options != null ? options : Options.defaults();
        int h = model.model().config().hiddenSize();
        int pooled = h * this.sentenceConfig.pooling().size();
        for (SentenceTransformerConfig.Module m : this.sentenceConfig.modules()) {
            if (m instanceof SentenceTransformerConfig.Dense d) {
                if (d.in() != pooled) {
                    throw new IllegalArgumentException("Dense module takes " + d.in() + " inputs but the pooling gives " + pooled);
                }
                pooled = d.out();
            }
        }
        int max = maxLength();
        if (max < model.tokenizer().numSpecialTokensToAdd(false) + 1) {
            throw new IllegalArgumentException("max length " + max + " leaves no room for a token next to the special tokens");
        }
    }

    /** Loads a model directory (its encoder only), configured from its sentence-transformers files when present. */
    public static Embeddings load(Path dir) {
        return load(dir, Options.defaults());
    }

    public static Embeddings load(Path dir, Options options) {
        SentenceTransformerConfig st = SentenceTransformerConfig.read(dir).orElse(null);
        Path modelDir = st != null ? st.transformerDir() : dir;
        PipelineModel pm = PipelineModel.load(modelDir, Model.Options.defaults().withHead(HeadType.NONE));
        try {
            return new Embeddings(pm, true, st != null ? st : SentenceTransformerConfig.defaults(modelDir), options);
        } catch (RuntimeException e) {
            pm.close();
            throw e;
        }
    }

    /** The same model with other sentence pooling (e.g. {@code sentenceConfig().with(List.of(CLS), true)}). */
    public Embeddings withSentenceConfig(SentenceTransformerConfig config) {
        return new Embeddings(model, false, config, options);
    }

    public Embeddings withOptions(Options o) {
        return new Embeddings(model, false, sentenceConfig, o);
    }

    public PipelineModel model() {
        return model;
    }

    public SentenceTransformerConfig sentenceConfig() {
        return sentenceConfig;
    }

    public Options options() {
        return options;
    }

    /** Size of token and word vectors (the hidden size). */
    public int hiddenSize() {
        return model.model().config().hiddenSize();
    }

    /** Size of sentence vectors (after pooling and Dense modules). */
    public int sentenceDimension() {
        int d = hiddenSize() * sentenceConfig.pooling().size();
        for (SentenceTransformerConfig.Module m : sentenceConfig.modules()) {
            if (m instanceof SentenceTransformerConfig.Dense dense) d = dense.out();
        }
        return d;
    }

    /** Tokens per forward pass, special tokens included. */
    public int maxLength() {
        int max = model.maxLength();
        if (options.maxLength() > 0) return Math.min(options.maxLength(), max);
        if (sentenceConfig.maxSeqLength() > 0) return Math.min(sentenceConfig.maxSeqLength(), max);
        return max;
    }

    /** How many inputs were truncated since this object was made (truncation mode only). */
    public long truncatedInputs() {
        return truncated.get();
    }

    // ------------------------------------------------------------------ tokens

    public List<TokenEmbedding> tokens(String text) {
        return tokensBatch(List.of(text)).get(0);
    }

    /** Per text, every token of the sequence the model saw (with windows: of the whole text), special tokens included. */
    public List<List<TokenEmbedding>> tokensBatch(List<String> texts) {
        return tokensPrepared(prepareTokens(texts));
    }

    /** {@link #tokensBatch} on texts {@link #prepareTokens prepared} by this object. */
    public List<List<TokenEmbedding>> tokensPrepared(List<Prepared> texts) {
        List<Run> runs = runPlans(plans(texts));
        List<List<TokenEmbedding>> out = new ArrayList<>(runs.size());
        for (Run r : runs) {
            List<TokenEmbedding> ts = new ArrayList<>(r.ids.length);
            for (int i = 0; i < r.ids.length; i++) {
                ts.add(new TokenEmbedding(i, r.ids[i], r.tokens[i], r.begin[i], r.end[i], r.special[i], r.words[i], r.vectors[i]));
            }
            out.add(List.copyOf(ts));
        }
        return out;
    }

    // ------------------------------------------------------------------ words

    /** Vectors of the whitespace/punctuation words of {@code text} ({@link #splitWords}). */
    public List<WordEmbedding> words(String text, WordPooling pooling) {
        return wordsBatch(List.of(text), null, pooling).get(0);
    }

    /** Vectors of the caller's words (spans of {@code text}, in order, not overlapping). */
    public List<WordEmbedding> words(String text, List<Span> words, WordPooling pooling) {
        return wordsBatch(List.of(text), java.util.Collections.singletonList(words), pooling).get(0);
    }

    /**
     * Word vectors for several texts in batched forward passes.
     *
     * @param words per text its word spans, or null (the list, or an entry) for {@link #splitWords}
     */
    public List<List<WordEmbedding>> wordsBatch(List<String> texts, List<List<Span>> words, WordPooling pooling) {
        if (words != null && words.size() != texts.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + words.size() + " word lists");
        }
        List<List<Span>> spans = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            List<Span> w = words == null ? null : words.get(i);
            spans.add(w == null ? splitWords(texts.get(i)) : checkSpans(texts.get(i), w));
        }
        List<Run> runs = run(texts);
        List<List<WordEmbedding>> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) out.add(pool(texts.get(i), runs.get(i), spans.get(i), pooling, 0, 0));
        return out;
    }

    /** Splits {@code document} into sentences and gives the vectors of each sentence's words, one forward pass per sentence. */
    public DocumentEmbeddings document(String document, SentenceSplitter splitter, WordPooling pooling) {
        return documents(List.of(document), splitter, pooling).get(0);
    }

    public DocumentEmbeddings document(String document, WordPooling pooling) {
        return document(document, SentenceSplitter.rules(), pooling);
    }

    /** {@link #document} for several documents, their sentences batched together. */
    public List<DocumentEmbeddings> documents(List<String> documents, SentenceSplitter splitter, WordPooling pooling) {
        List<List<SentenceSplitter.Sentence>> sentences = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (String d : documents) {
            if (d == null) throw new IllegalArgumentException("document is null");
            List<SentenceSplitter.Sentence> s = splitter.split(d);
            sentences.add(s);
            s.forEach(x -> texts.add(x.text()));
        }
        List<Run> runs = run(texts);
        List<DocumentEmbeddings> out = new ArrayList<>(documents.size());
        int k = 0;
        for (List<SentenceSplitter.Sentence> ss : sentences) {
            List<WordEmbedding> words = new ArrayList<>();
            for (SentenceSplitter.Sentence s : ss) {
                words.addAll(pool(s.text(), runs.get(k++), splitWords(s.text()), pooling, s.index(), s.begin()));
            }
            out.add(new DocumentEmbeddings(ss, words));
        }
        return out;
    }

    /**
     * Whitespace/punctuation words, as BERT's basic tokenizer splits before word pieces: runs of
     * non-space characters, with every punctuation character (Unicode P*, and ASCII symbols such as
     * {@code $ + < = > ^ ` | ~}) a word of its own.
     */
    public static List<Span> splitWords(String text) {
        List<Span> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                if (start >= 0) out.add(new Span(start, i));
                start = -1;
            } else if (isPunctuation(cp)) {
                if (start >= 0) out.add(new Span(start, i));
                out.add(new Span(i, i + n));
                start = -1;
            } else if (start < 0) {
                start = i;
            }
            i += n;
        }
        if (start >= 0) out.add(new Span(start, text.length()));
        return out;
    }

    private static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
    }

    private static List<Span> checkSpans(String text, List<Span> spans) {
        int prev = 0;
        for (int i = 0; i < spans.size(); i++) {
            Span s = spans.get(i);
            if (s == null) throw new IllegalArgumentException("word " + i + " is null");
            if (s.end() > text.length()) {
                throw new IllegalArgumentException("word " + i + " [" + s.begin() + ", " + s.end() + ") ends past the text (" + text.length() + " chars)");
            }
            if (s.begin() < prev) {
                throw new IllegalArgumentException("word " + i + " [" + s.begin() + ", " + s.end() + ") overlaps or precedes the word before it");
            }
            prev = s.end();
        }
        return spans;
    }

    /** Each word's pieces are the non-special tokens whose span overlaps the word. */
    private List<WordEmbedding> pool(String text, Run r, List<Span> spans, WordPooling pooling, int sentence, int shift) {
        int h = hiddenSize();
        List<WordEmbedding> out = new ArrayList<>(spans.size());
        int t0 = 0;
        for (Span w : spans) {
            // tokens before this word cannot belong to it nor to any later word
            while (t0 < r.ids.length && (r.special[t0] || r.begin[t0] == r.end[t0] || r.end[t0] <= w.begin())) t0++;
            int first = -1, last = -1, count = 0;
            double[] sum = pooling == WordPooling.MEAN ? new double[h] : null;
            for (int t = t0; t < r.ids.length; t++) {
                if (r.special[t] || r.begin[t] == r.end[t]) continue;
                if (r.begin[t] >= w.end()) break;
                if (r.end[t] <= w.begin()) continue;
                if (first < 0) first = t;
                last = t;
                count++;
                if (sum != null) for (int d = 0; d < h; d++) sum[d] += r.vectors[t][d];
            }
            float[] v = new float[h];
            if (count > 0) {
                switch (pooling) {
                    case FIRST -> v = r.vectors[first].clone();
                    case LAST -> v = r.vectors[last].clone();
                    case MEAN -> {
                        for (int d = 0; d < h; d++) v[d] = (float) (sum[d] / count);
                    }
                }
            }
            out.add(new WordEmbedding(text.substring(w.begin(), w.end()), w.begin() + shift, w.end() + shift, sentence, count,
                    count > 0 ? r.ids[first] : -1, v));
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ sentences

    public float[] sentence(String text) {
        return sentences(List.of(text)).get(0);
    }

    /** One vector per text, as sentence-transformers' {@code encode}. */
    public List<float[]> sentences(List<String> texts) {
        return sentencesPrepared(prepareSentences(texts));
    }

    /**
     * One text tokenised for this object's model and maximum length (truncated, or split into
     * windows), before any model work: for {@link #sentencesPrepared} or {@link #tokensPrepared}.
     */
    public static final class Prepared implements PreparedInput {
        private final Plan plan;
        /** at most → the full length, or at most that */
        private final java.util.function.IntUnaryOperator fullLength;
        private final Embeddings owner;

        private Prepared(Plan plan, int fullLength, Embeddings owner) {
            this(plan, atMost -> Math.min(fullLength, atMost), owner);
        }

        private Prepared(Plan plan, java.util.function.IntUnaryOperator fullLength, Embeddings owner) {
            this.plan = plan;
            this.fullLength = fullLength;
            this.owner = owner;
        }

        @Override
        public int tokens() {
            int n = 0;
            for (int[] w : plan.windowIds()) n += w.length;
            return n;
        }

        @Override
        public int windows() {
            return plan.windowIds().size();
        }

        /** Tokens of the whole text with its special tokens, before any truncation (counted on demand for a truncated text). */
        public int fullLength() {
            return fullLength(Integer.MAX_VALUE);
        }

        /** {@code min(fullLength(), atMost)}, a truncated text tokenised no further than that. */
        public int fullLength(int atMost) {
            return fullLength.applyAsInt(atMost);
        }
    }

    /** Texts tokenised as {@link #sentences} takes them: stripped and, with {@code do_lower_case}, lower-cased. */
    public List<Prepared> prepareSentences(List<String> texts) {
        List<String> prepared = new ArrayList<>(texts.size());
        for (String t : texts) {
            if (t == null) throw new IllegalArgumentException("text is null");
            String s = pyStrip(t);
            prepared.add(sentenceConfig.doLowerCase() ? s.toLowerCase(java.util.Locale.ROOT) : s);
        }
        return prepareTokens(prepared);
    }

    /** Texts tokenised as given, as {@link #tokensBatch} takes them. */
    public List<Prepared> prepareTokens(List<String> texts) {
        Tokenizer tok = model.tokenizer();
        int max = maxLength();
        List<Prepared> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            if (text == null) throw new IllegalArgumentException("text is null");
            out.add(plan(tok, text, max));
        }
        return out;
    }

    /** {@link #sentences} on texts {@link #prepareSentences prepared} by this object. */
    public List<float[]> sentencesPrepared(List<Prepared> texts) {
        List<SentenceTransformerConfig.Module> modules = sentenceConfig.modules();
        boolean finalNorm = !modules.isEmpty() && modules.get(modules.size() - 1) instanceof SentenceTransformerConfig.Normalize;
        List<SentenceTransformerConfig.Module> perWindow = finalNorm ? modules.subList(0, modules.size() - 1) : modules;
        List<float[]> out = new ArrayList<>(texts.size());
        for (Run r : runPlans(plans(texts))) {
            double[] acc = null;
            for (float[][] rows : r.windows) {
                float[] v = pooled(rows);
                for (SentenceTransformerConfig.Module m : perWindow) v = apply(m, v);
                if (acc == null) acc = new double[v.length];
                for (int d = 0; d < v.length; d++) acc[d] += v[d];
            }
            float[] v = new float[acc.length];
            for (int d = 0; d < v.length; d++) v[d] = (float) (acc[d] / r.windows.size());
            out.add(finalNorm ? normalize(v) : v);
        }
        return out;
    }

    private float[] pooled(float[][] rows) {
        int h = hiddenSize(), n = rows.length;
        List<SentenceTransformerConfig.Pooling> modes = sentenceConfig.pooling();
        float[] out = new float[h * modes.size()];
        for (int m = 0; m < modes.size(); m++) {
            int o = m * h;
            switch (modes.get(m)) {
                case CLS -> System.arraycopy(rows[0], 0, out, o, h);
                case MAX -> {
                    for (int d = 0; d < h; d++) {
                        float x = Float.NEGATIVE_INFINITY;
                        for (float[] row : rows) x = Math.max(x, row[d]);
                        out[o + d] = x;
                    }
                }
                case MEAN, MEAN_SQRT_LEN -> {
                    double div = modes.get(m) == SentenceTransformerConfig.Pooling.MEAN ? n : Math.sqrt(n);
                    for (int d = 0; d < h; d++) {
                        double s = 0;
                        for (float[] row : rows) s += row[d];
                        out[o + d] = (float) (s / div);
                    }
                }
            }
        }
        return out;
    }

    private static float[] apply(SentenceTransformerConfig.Module m, float[] v) {
        return switch (m) {
            case SentenceTransformerConfig.Dense d -> d.apply(v);
            case SentenceTransformerConfig.Normalize n -> normalize(v);
        };
    }

    /** {@code torch.nn.functional.normalize(p=2, eps=1e-12)}. */
    static float[] normalize(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        float norm = (float) Math.max(Math.sqrt(s), 1e-12);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i] / norm;
        return out;
    }

    /** Python's {@code str.strip()}: Unicode whitespace, including no-break spaces. */
    static String pyStrip(String s) {
        int b = 0, e = s.length();
        while (b < e && pySpace(s.charAt(b))) b++;
        while (e > b && pySpace(s.charAt(e - 1))) e--;
        return s.substring(b, e);
    }

    private static boolean pySpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085' || (c >= '\u001c' && c <= '\u001f');
    }

    // ------------------------------------------------------------------ running

    /** One text's tokens (the whole text when windowed) and their vectors; {@code windows} holds each forward pass's rows. */
    private record Run(int[] ids, String[] tokens, int[] begin, int[] end, boolean[] special, int[] words, float[][] vectors,
                       List<float[][]> windows) {}

    /** A text's tokens and the windows that cover them: {@code offsets[w]} is the token index of window w's first row. */
    private record Plan(int[] ids, String[] tokens, int[] begin, int[] end, boolean[] special, int[] words,
                        List<int[]> windowIds, int[] offsets) {}

    private List<Run> run(List<String> texts) {
        return runPlans(plans(prepareTokens(texts)));
    }

    private List<Plan> plans(List<Prepared> texts) {
        List<Plan> plans = new ArrayList<>(texts.size());
        for (Prepared p : texts) {
            if (p.owner.model != model || p.owner.maxLength() != maxLength() || p.owner.options.longInputs() != options.longInputs()
                    || p.owner.options.stride() != options.stride()) {
                throw new IllegalArgumentException("an input prepared for other embeddings (another model, length or windows)");
            }
            plans.add(p.plan);
        }
        return plans;
    }

    private List<Run> runPlans(List<Plan> plans) {
        List<Batches.Sequence> seqs = new ArrayList<>();
        for (Plan p : plans) {
            for (int[] w : p.windowIds()) seqs.add(new Batches.Sequence(w, null));
        }
        int h = hiddenSize();
        float[][][] rows = Batches.lastHiddenStates(model, seqs, options.batchSize());
        List<Run> runs = new ArrayList<>(plans.size());
        int k = 0;
        for (Plan p : plans) {
            int n = p.ids().length;
            List<float[][]> windows = new ArrayList<>(p.windowIds().size());
            for (int w = 0; w < p.windowIds().size(); w++) windows.add(rows[k + w]);
            float[][] vectors;
            if (windows.size() == 1) {
                vectors = windows.get(0);
            } else {
                double[][] acc = new double[n][h];
                int[] count = new int[n];
                for (int w = 0; w < windows.size(); w++) {
                    float[][] wr = windows.get(w);
                    for (int i = 0; i < wr.length; i++) {
                        // row 0 is the window's [CLS], the last its [SEP]; the others are text tokens
                        int target = i == 0 ? 0 : i == wr.length - 1 ? n - 1 : p.offsets()[w] + i - 1;
                        for (int d = 0; d < h; d++) acc[target][d] += wr[i][d];
                        count[target]++;
                    }
                }
                vectors = new float[n][h];
                for (int i = 0; i < n; i++) for (int d = 0; d < h; d++) vectors[i][d] = (float) (acc[i][d] / count[i]);
            }
            runs.add(new Run(p.ids(), p.tokens(), p.begin(), p.end(), p.special(), p.words(), vectors, windows));
            k += p.windowIds().size();
        }
        return runs;
    }

    private Prepared plan(Tokenizer tok, String text, int max) {
        if (options.longInputs() == LongInputs.TRUNCATE) {
            // the first window is all that is kept: a long text is tokenised only that far
            Tokenizer.FirstWindow w = tok.encodeFirstWindow(text, null, EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, max));
            int n = w.encoding().length();
            if (!w.truncated()) return new Prepared(single(w.encoding()), n, this);
            truncated.incrementAndGet();
            int specials = tok.numSpecialTokensToAdd(false);
            return new Prepared(single(w.encoding()), atMost -> (int) Math.min(atMost, (long) specials + tok.countTokens(text, atMost)), this);
        }
        Encoding e = tok.encode(text, EncodeOptions.DEFAULT);
        if (e.length() <= max) return new Prepared(single(e), e.length(), this);
        int cls = tok.clsTokenId(), sep = tok.sepTokenId();
        if (tok.numSpecialTokensToAdd(false) != 2 || cls < 0 || sep < 0) {
            throw new IllegalArgumentException("windows need a tokenizer that wraps a text in [CLS] ... [SEP] (or <s> ... </s>)");
        }
        Encoding body = tok.encode(text, EncodeOptions.DEFAULT.withAddSpecialTokens(false));
        int n = body.length();
        int room = max - 2;
        int overlap = options.stride() >= 0 ? options.stride() : room / 4;
        if (overlap >= room) {
            throw new IllegalArgumentException("stride " + overlap + " must be smaller than the window (" + room + " tokens + 2 special)");
        }
        int step = room - overlap;
        List<int[]> windows = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        int[] bodyIds = body.ids();
        for (int s = 0; ; s += step) {
            int end = Math.min(s + room, n);
            int[] w = new int[end - s + 2];
            w[0] = cls;
            System.arraycopy(bodyIds, s, w, 1, end - s);
            w[w.length - 1] = sep;
            windows.add(w);
            offsets.add(1 + s);
            if (end == n) break;
        }
        int total = n + 2;
        int[] ids = new int[total], begin = new int[total], end = new int[total], words = new int[total];
        String[] tokens = new String[total];
        boolean[] special = new boolean[total];
        ids[0] = cls;
        tokens[0] = tok.idToToken(cls);
        special[0] = true;
        words[0] = -1;
        for (int i = 0; i < n; i++) {
            ids[i + 1] = body.idAt(i);
            tokens[i + 1] = body.tokenAt(i);
            begin[i + 1] = body.startAt(i);
            end[i + 1] = body.endAt(i);
            words[i + 1] = body.wordIdAt(i);
        }
        ids[total - 1] = sep;
        tokens[total - 1] = tok.idToToken(sep);
        special[total - 1] = true;
        words[total - 1] = -1;
        return new Prepared(new Plan(ids, tokens, begin, end, special, words, windows,
                offsets.stream().mapToInt(Integer::intValue).toArray()), e.length(), this);
    }

    private static Plan single(Encoding e) {
        int n = e.length();
        boolean[] special = new boolean[n];
        int[] begin = new int[n], end = new int[n];
        for (int i = 0; i < n; i++) {
            // special tokens the tokenizer added; a literal [MASK] typed in the text is a word
            special[i] = e.specialTokenMaskAt(i) == 1 && e.sequenceIdAt(i) == Encoding.NONE;
            begin[i] = e.startAt(i);
            end[i] = e.endAt(i);
        }
        return new Plan(e.ids(), e.tokens(), begin, end, special, e.wordIds(), List.of(e.ids()), new int[] {0});
    }

    // ------------------------------------------------------------------ JSON

    /** transformers' {@code feature-extraction} output for one text: {@code [[vector per token]]} ([1, tokens, hidden]). */
    public static JsonNode toHfFeatureExtraction(List<TokenEmbedding> tokens) {
        ArrayNode outer = HfJson.array();
        ArrayNode seq = outer.addArray();
        for (TokenEmbedding t : tokens) {
            ArrayNode v = seq.addArray();
            for (float x : t.vector) v.add(HfJson.score(x));
        }
        return outer;
    }

    /** A vector as a JSON list of float32 values (shortest float representation). */
    public static ArrayNode vector(float[] v) {
        ArrayNode a = HfJson.array();
        for (float x : v) a.add(FloatNode.valueOf(x));
        return a;
    }

    /** {@code {word, begin, end, end_inclusive, sentence, pieces[, embedding]}}. */
    public static ObjectNode toJson(WordEmbedding w, boolean withVector) {
        ObjectNode o = HfJson.object();
        o.put("word", w.word());
        o.put("begin", w.begin());
        o.put("end", w.end());
        o.put("end_inclusive", w.endInclusive());
        o.put("sentence", w.sentence());
        o.put("pieces", w.pieces());
        if (withVector) o.set("embedding", vector(w.vector));
        return o;
    }

    /** {@code {index, id, token, begin, end, special, word[, embedding]}}. */
    public static ObjectNode toJson(TokenEmbedding t, boolean withVector) {
        ObjectNode o = HfJson.object();
        o.put("index", t.index());
        o.put("id", t.id());
        o.put("token", t.token());
        o.put("begin", t.begin());
        o.put("end", t.end());
        o.put("special", t.special());
        if (t.word() >= 0) o.put("word", t.word()); else o.putNull("word");
        if (withVector) o.set("embedding", vector(t.vector));
        return o;
    }

    @Override
    public void close() {
        if (owns) model.close();
    }
}
