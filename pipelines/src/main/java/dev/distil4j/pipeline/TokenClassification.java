package dev.distil4j.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.model.HeadType;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TruncationStrategy;
import dev.distil4j.tokenizer.model.Bpe;
import dev.distil4j.tokenizer.model.WordPiece;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Hugging Face's {@code pipeline("token-classification")} (named-entity recognition) as transformers
 * 4.28.1 runs it with a fast tokenizer: per-token labels, optionally merged into words and entity
 * groups. Immutable and thread-safe.
 *
 * <pre>{@code
 * try (PipelineModel m = PipelineModel.load(Path.of("dslim-bert-base-NER"))) {
 *     var ner = new TokenClassification(m);
 *     List<Entity> es = ner.predict("My name is Wolfgang and I live in Berlin",
 *             TokenClassification.Options.defaults().withAggregation(Aggregation.SIMPLE));
 *     JsonNode json = TokenClassification.toHfJson(es);   // what the Python pipeline returns
 * }
 * }</pre>
 *
 * <p>Texts longer than the model's maximum length are truncated, as in Hugging Face, unless
 * {@link Options#stride()} is set: then they are cut into overlapping windows and the entities of
 * all windows are merged (overlapping ones keep the longer, then the higher scoring).
 * An empty (or all-whitespace) text has no tokens and gives no entities.
 */
public final class TokenClassification {

    /** How token predictions are merged; Hugging Face's {@code aggregation_strategy}. */
    public enum Aggregation {
        /** Every token on its own, with its index. */
        NONE,
        /** Adjacent tokens with the same entity type (B-/I- rules) form one group. */
        SIMPLE,
        /** Words take the label of their first token, then are grouped. */
        FIRST,
        /** Words take the label of the highest average score over their tokens. */
        AVERAGE,
        /** Words take the label of their highest scoring token. */
        MAX;

        /** The Hugging Face spelling ({@code "simple"}). */
        public String hfName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses Hugging Face's spelling (any case). */
        public static Aggregation parse(String s) {
            for (Aggregation a : values()) {
                if (a.name().equalsIgnoreCase(s)) return a;
            }
            throw new IllegalArgumentException("unknown aggregation strategy \"" + s
                    + "\"; use none, simple, first, average or max");
        }
    }

    /**
     * Options, defaults as in Hugging Face.
     *
     * @param aggregation  {@link Aggregation#NONE} by default
     * @param ignoreLabels labels (or entity groups) left out of the result; {@code ["O"]} by default
     * @param stride       null (default): truncate long texts; otherwise split them into windows of the
     *                     model's maximum length that share this many tokens (needs an aggregation other
     *                     than NONE and must be below the room left beside the special tokens)
     */
    public record Options(Aggregation aggregation, List<String> ignoreLabels, Integer stride) {
        public Options {
            Objects.requireNonNull(aggregation, "aggregation");
            ignoreLabels = ignoreLabels == null ? List.of("O") : List.copyOf(ignoreLabels);
            if (stride != null && stride < 0) {
                throw new IllegalArgumentException("stride must be >= 0, got " + stride);
            }
        }

        public static Options defaults() {
            return new Options(Aggregation.NONE, List.of("O"), null);
        }

        public Options withAggregation(Aggregation a) {
            return new Options(a, ignoreLabels, stride);
        }

        public Options withIgnoreLabels(List<String> labels) {
            return new Options(aggregation, labels, stride);
        }

        public Options withStride(Integer s) {
            return new Options(aggregation, ignoreLabels, s);
        }
    }

    /**
     * One entity: a single token ({@link Aggregation#NONE}, then {@link #index()} ≥ 0) or a group of
     * tokens / words (the other strategies; {@link #index()} is -1 and {@link #isGroup()} is true).
     *
     * @param label          the label ({@code "B-PER"}) of a token; the entity type without the B-/I-
     *                       prefix ({@code "PER"}) of a group
     * @param score          the float32 probability, as NumPy computes it
     * @param index          token position in the model input (of its window when windowed), or -1
     * @param word           the token string, for groups the decoded text of their tokens; the original
     *                       text for an unknown token
     * @param start          Java {@code String} (UTF-16) index of the first character in the text
     * @param end            UTF-16 index after the last character
     * @param codePointStart {@code start} counted in code points: what Hugging Face (Python) reports
     * @param codePointEnd   {@code end} counted in code points
     */
    public record Entity(String label, float score, int index, String word, int start, int end,
                         int codePointStart, int codePointEnd) {
        public Entity {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(word, "word");
        }

        /** True for a group (Hugging Face's {@code entity_group} form), false for a single token. */
        public boolean isGroup() {
            return index < 0;
        }
    }

    private final PipelineModel model;
    private final int batchSize;

    /** Default number of windows per forward pass. */
    public static final int DEFAULT_BATCH_SIZE = 8;

    public TokenClassification(PipelineModel model) {
        this(model, DEFAULT_BATCH_SIZE);
    }

    /**
     * @param batchSize how many windows (texts or their parts) one forward pass takes; results do not
     *                  depend on it beyond float rounding in padded batches
     */
    public TokenClassification(PipelineModel model, int batchSize) {
        this.model = Objects.requireNonNull(model, "model");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (model.model().headType() != HeadType.TOKEN_CLASSIFICATION) {
            throw new IllegalArgumentException("token classification needs a token-classification model; "
                    + model.dir() + " has a " + model.model().headType() + " head");
        }
        this.batchSize = batchSize;
    }

    /** Loads the model directory (it must have a token-classification head); close {@link #model()} when done. */
    public static TokenClassification load(Path dir) {
        return new TokenClassification(PipelineModel.load(dir));
    }

    public PipelineModel model() {
        return model;
    }

    public List<Entity> predict(String text) {
        return predict(text, Options.defaults());
    }

    public List<Entity> predict(String text, Options options) {
        return predictBatch(List.of(text), options).get(0);
    }

    /** One result list per text, in order. */
    public List<List<Entity>> predictBatch(List<String> texts, Options options) {
        return predictPrepared(prepare(texts, options), options);
    }

    /** One text tokenised into the windows the model runs (one unless a stride splits it), for {@link #predictPrepared}. */
    public record Prepared(String text, List<Encoding> encodings) implements PreparedInput {
        public Prepared {
            encodings = List.copyOf(encodings);
        }

        @Override
        public int tokens() {
            int n = 0;
            for (Encoding e : encodings) n += e.length();
            return n;
        }

        @Override
        public int windows() {
            return encodings.size();
        }
    }

    /** Tokenises texts for {@link #predictPrepared} with the same options; the argument checks of {@link #predictBatch}. */
    public List<Prepared> prepare(List<String> texts, Options options) {
        Objects.requireNonNull(options, "options");
        int maxLength = model.maxLength();
        validate(options, maxLength);
        Tokenizer tok = model.tokenizer();
        EncodeOptions enc = EncodeOptions.builder()
                .truncation(TruncationStrategy.LONGEST_FIRST)
                .maxLength(maxLength)
                .stride(options.stride() == null ? 0 : options.stride())
                .build();
        List<Prepared> out = new ArrayList<>(texts.size());
        for (int t = 0; t < texts.size(); t++) {
            String text = texts.get(t);
            if (text == null) throw new IllegalArgumentException("text " + t + " is null");
            Encoding e = encode(tok, texts.size() > 1 ? "text " + t + ": " : "", text, enc, options, maxLength);
            List<Encoding> windows = new ArrayList<>();
            windows.add(Batches.alone(e));
            // without a stride, Hugging Face only uses the first window (plain truncation)
            if (options.stride() != null) windows.addAll(e.overflowing());
            out.add(new Prepared(text, windows));
        }
        return out;
    }

    /**
     * How many windows each text takes with these options (one without a stride), counted without
     * building them; the argument checks of {@link #prepare}.
     */
    public int[] windowCounts(List<String> texts, Options options) {
        Objects.requireNonNull(options, "options");
        int maxLength = model.maxLength();
        validate(options, maxLength);
        int[] out = new int[texts.size()];
        java.util.Arrays.fill(out, 1);
        if (options.stride() == null) return out;
        Tokenizer tok = model.tokenizer();
        int room = maxLength - tok.numSpecialTokensToAdd(false);
        for (int t = 0; t < out.length; t++) {
            String text = texts.get(t);
            if (text == null) throw new IllegalArgumentException("text " + t + " is null");
            int n = tok.countTokens(text, Integer.MAX_VALUE);
            checkStride(texts.size() > 1 ? "text " + t + ": " : "", n, room, options.stride(), maxLength);
            out[t] = Batches.overflowWindows(n, room, options.stride());
        }
        return out;
    }

    /** Entities for texts {@link #prepare}d with the same options: one list per text, in order. */
    public List<List<Entity>> predictPrepared(List<Prepared> texts, Options options) {
        Objects.requireNonNull(options, "options");
        // the windows of every text, in order, and which text each belongs to
        List<Encoding> windows = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            for (Encoding e : texts.get(t).encodings()) {
                windows.add(e);
                owner.add(t);
            }
        }
        float[][] logits = logits(windows);
        List<List<Entity>> perText = new ArrayList<>();
        List<Integer> chunks = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            perText.add(new ArrayList<>());
            chunks.add(0);
        }
        for (int w = 0; w < windows.size(); w++) {
            int t = owner.get(w);
            List<Entity> entities = aggregate(gather(texts.get(t).text(), windows.get(w), logits[w]), options.aggregation());
            for (Entity e : entities) {
                if (!options.ignoreLabels().contains(e.label())) perText.get(t).add(e);
            }
            chunks.set(t, chunks.get(t) + 1);
        }
        List<List<Entity>> out = new ArrayList<>(texts.size());
        for (int t = 0; t < texts.size(); t++) {
            List<Entity> es = perText.get(t);
            out.add(List.copyOf(chunks.get(t) > 1 ? mergeOverlapping(es) : es));
        }
        return List.copyOf(out);
    }

    private static void validate(Options o, int maxLength) {
        if (o.stride() == null) return;
        if (o.stride() >= maxLength) {
            throw new IllegalArgumentException("stride " + o.stride() + " must be less than the model's maximum length "
                    + maxLength + " (or even lower: the special tokens take room too)");
        }
        if (o.aggregation() == Aggregation.NONE) {
            throw new IllegalArgumentException("`stride` was provided to process all the text but `aggregation_strategy=\"none\"`,"
                    + " please select another one instead (simple, first, average or max)");
        }
    }

    private Encoding encode(Tokenizer tok, String where, String text, EncodeOptions enc, Options options, int maxLength) {
        if (options.stride() == null) return tok.encodeFirstWindow(text, null, enc).encoding();   // plain truncation: the first window
        int room = maxLength - tok.numSpecialTokensToAdd(false);
        // Rust panics ("assertion failed: stride < max_len") once the text needs windows
        if (options.stride() >= room) checkStride(where, tok.countTokens(text, Integer.MAX_VALUE),
                room, options.stride(), maxLength);
        return tok.encode(text, enc);
    }

    /** A stride is refused, as the Rust tokenizer refuses it, when a text of {@code n} tokens needs windows and the stride fills them. */
    private static void checkStride(String where, int n, int room, int stride, int maxLength) {
        if (n > room && stride >= room) {
            throw new IllegalArgumentException(where + "stride " + stride + " must be less than the " + room
                    + " tokens a window holds besides the special tokens (max length " + maxLength + ")");
        }
    }

    /** Logits [window][token * labels + label], computed in padded batches. */
    private float[][] logits(List<Encoding> windows) {
        float[][] out = new float[windows.size()][];
        int labels = model.model().config().numLabels();
        List<Batches.Sequence> seqs = new ArrayList<>(windows.size());
        for (Encoding e : windows) seqs.add(new Batches.Sequence(e.ids(), null));
        Batches.run(model, seqs, batchSize, labels, (w, o, row, length) -> {
            int longest = o.logits().dim(1);
            float[] r = new float[length * labels];
            System.arraycopy(o.logits().data(), row * longest * labels, r, 0, length * labels);
            out[w] = r;
        });
        return out;
    }

    /** A scored token before aggregation (Hugging Face's "pre_entity"). */
    private record Token(String word, float[] scores, int index, int start, int end, int cpStart, int cpEnd,
                         boolean subword) {}

    /** A word or token with its label, before grouping. */
    private record Scored(String label, float score, int index, String word, int start, int end, int cpStart,
                          int cpEnd) {}

    private List<Token> gather(String text, Encoding e, float[] logits) {
        Tokenizer tok = model.tokenizer();
        int labels = model.model().config().numLabels();
        int unk = tok.unkTokenId();
        boolean wordAware = continuingSubwordPrefix(tok) != null;
        List<Token> out = new ArrayList<>();
        for (int i = 0; i < e.length(); i++) {
            if (e.specialTokenMaskAt(i) != 0) continue;
            float[] scores = NumpyF32.softmax(logits, i * labels, labels);
            String word = e.tokenAt(i);
            int s = e.startAt(i), en = e.endAt(i);
            String ref = text.substring(s, en);
            boolean subword;
            if (wordAware) {
                // Python compares lengths in code points
                subword = word.codePointCount(0, word.length()) != ref.codePointCount(0, ref.length());
            } else {
                // Hugging Face's fallback for tokenizers without a subword prefix (byte-level BPE)
                // (" " not in text[start - 1:start + 1], in code points)
                subword = s > 0 && !text.substring(text.offsetByCodePoints(s, -1),
                        s < text.length() ? text.offsetByCodePoints(s, 1) : s).contains(" ");
            }
            if (e.idAt(i) == unk) {
                word = ref;
                subword = false;
            }
            out.add(new Token(word, scores, i, s, en, e.codePointStartAt(i), e.codePointEndAt(i), subword));
        }
        return out;
    }

    private static String continuingSubwordPrefix(Tokenizer tok) {
        String p = switch (tok.model()) {
            case WordPiece w -> w.continuingSubwordPrefix();
            case Bpe b -> b.continuingSubwordPrefix();
        };
        return p == null || p.isEmpty() ? null : p;
    }

    private List<Entity> aggregate(List<Token> tokens, Aggregation aggregation) {
        List<String> id2label = model.model().config().labels();
        List<Scored> scored = new ArrayList<>();
        if (aggregation == Aggregation.NONE || aggregation == Aggregation.SIMPLE) {
            for (Token t : tokens) {
                int k = NumpyF32.argmax(t.scores);
                scored.add(new Scored(id2label.get(k), t.scores[k], t.index, t.word, t.start, t.end, t.cpStart, t.cpEnd));
            }
        } else {
            List<Token> group = new ArrayList<>();
            for (Token t : tokens) {
                if (!group.isEmpty() && !t.subword) {
                    scored.add(aggregateWord(group, aggregation, id2label));
                    group.clear();
                }
                group.add(t);
            }
            if (!group.isEmpty()) scored.add(aggregateWord(group, aggregation, id2label));
        }
        List<Entity> out = new ArrayList<>(scored.size());
        if (aggregation == Aggregation.NONE) {
            for (Scored s : scored) {
                out.add(new Entity(s.label, s.score, s.index, s.word, s.start, s.end, s.cpStart, s.cpEnd));
            }
            return out;
        }
        return groupEntities(scored);
    }

    private Scored aggregateWord(List<Token> tokens, Aggregation aggregation, List<String> id2label) {
        List<String> words = new ArrayList<>(tokens.size());
        for (Token t : tokens) words.add(t.word);
        String word = model.tokenizer().convertTokensToString(words);
        int k;
        float score;
        switch (aggregation) {
            case FIRST -> {
                float[] s = tokens.get(0).scores;
                k = NumpyF32.argmax(s);
                score = s[k];
            }
            case MAX -> {
                // Python's max(): the first token with the highest maximum
                Token best = tokens.get(0);
                float bestMax = best.scores[NumpyF32.argmax(best.scores)];
                for (Token t : tokens) {
                    float m = t.scores[NumpyF32.argmax(t.scores)];
                    if (m > bestMax) {
                        best = t;
                        bestMax = m;
                    }
                }
                k = NumpyF32.argmax(best.scores);
                score = best.scores[k];
            }
            case AVERAGE -> {
                // np.nanmean(np.stack(scores), axis=0): rows added one after the other in float32
                int labels = tokens.get(0).scores.length;
                float[] avg = new float[labels];
                for (Token t : tokens) {
                    for (int j = 0; j < labels; j++) avg[j] += t.scores[j];
                }
                for (int j = 0; j < labels; j++) avg[j] = NumpyF32.mean(avg[j], tokens.size());
                k = NumpyF32.argmax(avg);
                score = avg[k];
            }
            default -> throw new IllegalStateException("not a word aggregation: " + aggregation);
        }
        Token first = tokens.get(0), last = tokens.get(tokens.size() - 1);
        return new Scored(id2label.get(k), score, -1, word, first.start, last.end, first.cpStart, last.cpEnd);
    }

    private List<Entity> groupEntities(List<Scored> entities) {
        List<Entity> groups = new ArrayList<>();
        List<Scored> current = new ArrayList<>();
        for (Scored e : entities) {
            if (current.isEmpty()) {
                current.add(e);
                continue;
            }
            String[] tag = tag(e.label);
            String[] last = tag(current.get(current.size() - 1).label);
            if (tag[1].equals(last[1]) && !tag[0].equals("B")) {
                current.add(e);
            } else {
                groups.add(group(current));
                current = new ArrayList<>();
                current.add(e);
            }
        }
        if (!current.isEmpty()) groups.add(group(current));
        return groups;
    }

    /** {@code {"B"|"I", type}}; labels without a B-/I- prefix count as continuations. */
    private static String[] tag(String label) {
        if (label.startsWith("B-")) return new String[] {"B", label.substring(2)};
        if (label.startsWith("I-")) return new String[] {"I", label.substring(2)};
        return new String[] {"I", label};
    }

    private Entity group(List<Scored> members) {
        String label = members.get(0).label;
        String type = label.substring(label.lastIndexOf('-') + 1);  // Python's split("-")[-1]
        float[] scores = new float[members.size()];
        List<String> words = new ArrayList<>(members.size());
        for (int i = 0; i < scores.length; i++) {
            scores[i] = members.get(i).score;
            words.add(members.get(i).word);
        }
        float score = NumpyF32.mean(NumpyF32.sum(scores, 0, scores.length), scores.length);
        Scored first = members.get(0), last = members.get(members.size() - 1);
        return new Entity(type, score, -1, model.tokenizer().convertTokensToString(words), first.start, last.end,
                first.cpStart, last.cpEnd);
    }

    /**
     * Hugging Face's {@code aggregate_overlapping_entities} for windowed texts: in code points, as
     * lengths decide which of two overlapping entities stays.
     */
    private static List<Entity> mergeOverlapping(List<Entity> entities) {
        if (entities.isEmpty()) return entities;
        List<Entity> sorted = new ArrayList<>(entities);
        sorted.sort(Comparator.comparingInt(Entity::codePointStart));  // stable, like Python's sorted
        List<Entity> out = new ArrayList<>();
        Entity previous = sorted.get(0);
        for (Entity e : sorted) {
            if (previous.codePointStart() <= e.codePointStart() && e.codePointStart() < previous.codePointEnd()) {
                int len = e.codePointEnd() - e.codePointStart();
                int prevLen = previous.codePointEnd() - previous.codePointStart();
                if (len > prevLen || (len == prevLen && e.score() > previous.score())) previous = e;
            } else {
                out.add(previous);
                previous = e;
            }
        }
        out.add(previous);
        return out;
    }

    // ---------------------------------------------------------------- Hugging Face JSON

    /**
     * A call as the pipeline (and the Inference API) takes it.
     *
     * @param texts   the inputs
     * @param list    whether {@code inputs} was a list (then the result is a list per text, even for one)
     * @param options aggregation, ignored labels, stride
     */
    public record HfRequest(List<String> texts, boolean list, Options options) {
        public HfRequest {
            texts = List.copyOf(texts);
            Objects.requireNonNull(options, "options");
        }

        /**
         * Parses {@code inputs} (a string or a list of strings) and {@code parameters}:
         * {@code aggregation_strategy}, {@code ignore_labels}, {@code stride}, and the deprecated
         * {@code grouped_entities} / {@code ignore_subwords}, which override the strategy as in transformers.
         */
        public static HfRequest parse(JsonNode inputs, JsonNode parameters) {
            return parse(inputs, parameters, Options.defaults());
        }

        /** As {@link #parse(JsonNode, JsonNode)}, with {@code parameters} applied over {@code base} instead of the defaults. */
        public static HfRequest parse(JsonNode inputs, JsonNode parameters, Options base) {
            List<String> texts = new ArrayList<>();
            boolean list;
            if (inputs != null && inputs.isTextual()) {
                texts.add(inputs.asText());
                list = false;
            } else if (inputs != null && inputs.isArray() && !inputs.isEmpty()) {
                for (JsonNode n : inputs) {
                    if (!n.isTextual()) throw new IllegalArgumentException("token-classification inputs must be strings, got " + n);
                    texts.add(n.asText());
                }
                list = true;
            } else {
                throw new IllegalArgumentException("token-classification \"inputs\" must be a string or a non-empty list of strings");
            }
            Options o = Objects.requireNonNull(base, "base");
            if (parameters == null || parameters.isNull()) return new HfRequest(texts, list, o);
            if (!parameters.isObject()) throw new IllegalArgumentException("\"parameters\" must be an object");
            Boolean grouped = null, ignoreSubwords = null;
            for (var it = parameters.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue();
                if (v.isNull()) continue;
                switch (e.getKey()) {
                    case "aggregation_strategy" -> {
                        if (!v.isTextual()) throw new IllegalArgumentException("aggregation_strategy must be a string, got " + v);
                        o = o.withAggregation(Aggregation.parse(v.asText()));
                    }
                    case "ignore_labels" -> {
                        if (!v.isArray()) throw new IllegalArgumentException("ignore_labels must be a list of strings, got " + v);
                        List<String> labels = new ArrayList<>();
                        for (JsonNode x : v) {
                            if (!x.isTextual()) throw new IllegalArgumentException("ignore_labels must be strings, got " + x);
                            labels.add(x.asText());
                        }
                        o = o.withIgnoreLabels(labels);
                    }
                    case "stride" -> {
                        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw new IllegalArgumentException("stride must be an integer, got " + v);
                        o = o.withStride(v.asInt());
                    }
                    case "grouped_entities" -> grouped = bool(e.getKey(), v);
                    case "ignore_subwords" -> ignoreSubwords = bool(e.getKey(), v);
                    default -> throw new IllegalArgumentException("unknown token-classification parameter \"" + e.getKey()
                            + "\" (aggregation_strategy, ignore_labels, stride, grouped_entities, ignore_subwords)");
                }
            }
            if (grouped != null || ignoreSubwords != null) {
                boolean g = Boolean.TRUE.equals(grouped), i = Boolean.TRUE.equals(ignoreSubwords);
                o = o.withAggregation(g && i ? Aggregation.FIRST : g ? Aggregation.SIMPLE : Aggregation.NONE);
            }
            return new HfRequest(texts, list, o);
        }

        private static boolean bool(String key, JsonNode v) {
            if (!v.isBoolean()) throw new IllegalArgumentException(key + " must be true or false, got " + v);
            return v.asBoolean();
        }
    }

    /** Runs a request and renders it as the pipeline returns it. */
    public JsonNode callHf(HfRequest request) {
        return toHfJson(request.list(), predictBatch(request.texts(), request.options()));
    }

    /** {@code pipeline(inputs, **parameters)} in JSON. */
    public JsonNode callHf(JsonNode inputs, JsonNode parameters) {
        return callHf(HfRequest.parse(inputs, parameters));
    }

    /**
     * The pipeline's output shape: for a single text its list of entities, for a list of texts a list
     * of such lists (a list of one text included).
     */
    public static JsonNode toHfJson(boolean listInput, List<List<Entity>> results) {
        if (!listInput) {
            if (results.size() != 1) throw new IllegalArgumentException("a single input has one result, got " + results.size());
            return toHfJson(results.get(0));
        }
        ArrayNode a = HfJson.array();
        for (List<Entity> r : results) a.add(toHfJson(r));
        return a;
    }

    /**
     * One text's entities: {@code {"entity", "score", "index", "word", "start", "end"}} for single
     * tokens, {@code {"entity_group", "score", "word", "start", "end"}} for groups; offsets in code points.
     */
    public static ArrayNode toHfJson(List<Entity> entities) {
        ArrayNode a = HfJson.array();
        for (Entity e : entities) a.add(toHfJson(e));
        return a;
    }

    public static ObjectNode toHfJson(Entity e) {
        ObjectNode o = HfJson.object();
        o.put(e.isGroup() ? "entity_group" : "entity", e.label());
        o.set("score", HfJson.score(e.score()));
        if (!e.isGroup()) o.put("index", e.index());
        o.put("word", e.word());
        o.put("start", e.codePointStart());
        o.put("end", e.codePointEnd());
        return o;
    }
}
