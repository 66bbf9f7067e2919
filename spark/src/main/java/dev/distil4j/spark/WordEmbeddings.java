package dev.distil4j.spark;

import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.SentenceSplitter;
import dev.distil4j.tokenizer.normalizer.BertNormalizer;
import dev.distil4j.tokenizer.normalizer.Lowercase;
import dev.distil4j.tokenizer.normalizer.Normalizer;
import dev.distil4j.tokenizer.normalizer.NormalizerSequence;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word vectors, as Spark NLP's {@code DocumentAssembler → SentenceDetector → Tokenizer →
 * DistilBertEmbeddings / RoBertaEmbeddings} chain gives them, in one stage: one vector per word,
 * from the encoder's last hidden state (the word's first piece, the mean of its pieces, or its last
 * piece), with the word's offsets ({@link Embeddings#wordsBatch}, {@link Embeddings#documents}).
 *
 * <p><b>Input</b> ({@code inputCol}): a text (string), split into sentences (unless
 * {@code splitSentences} is false; {@link SentenceSplitter#rules()}) and words (whitespace and
 * punctuation, as BERT's basic tokenizer); or the words themselves as an {@code array<string>}
 * (e.g. another tokenizer's output), found in order in {@code textCol} when it is set, else in the
 * words joined by single spaces.
 *
 * <p><b>Output</b> ({@code outputCol}, default {@code "embeddings"}), one element per word:
 * <ul>
 *   <li>{@code outputFormat = "words"} (default):
 *       {@code array<struct<word: string, begin: int, end: int, sentence: int, embedding: array<float>>>},
 *       UTF-16 offsets into the text with {@code end} exclusive ({@code text.substring(begin, end)} is the word), as
 *       {@link Embeddings.WordEmbedding};</li>
 *   <li>{@code outputFormat = "annotations"}: Spark NLP's annotation schema
 *       {@code array<struct<annotatorType, begin, end, result, metadata: map<string,string>, embeddings: array<float>>>}
 *       with {@code annotatorType} {@code "word_embeddings"}, {@code end} inclusive, {@code result} the word (lower-cased
 *       when the model lower-cases, as Spark NLP reports it) and metadata {@code sentence}, {@code token}, {@code pieceId}
 *       (the id of the word's first piece), {@code isWordStart} ({@code true}), {@code isOOV} ({@code false}); the column
 *       carries Spark NLP's metadata {@code annotatorType}, {@code dimension} and {@code ref} ({@code storageRef}), so Spark
 *       NLP's annotators and code written for its embeddings columns read it.</li>
 * </ul>
 *
 * <p><b>Spark NLP compatibility</b> ({@code compatibility = "spark-nlp"}): sentences, tokens and the model's
 * input as Spark NLP 5.5.3's default {@code SentenceDetector → Tokenizer → DistilBertEmbeddings} makes them
 * ({@link dev.distil4j.pipeline.SparkNlpEmbeddings}), so the vectors and annotations are Spark NLP's; the output
 * format defaults to annotations and {@code maxSentenceLength} to Spark NLP's 128.
 *
 * <p><b>Nulls, empty and long texts.</b> A null input gives a null output; an empty or blank text an
 * empty array. A sentence (or text, without splitting) longer than {@code maxSentenceLength} tokens
 * is truncated, as Spark NLP does; its words past the cut keep their offsets but get a zero vector.
 */
public final class WordEmbeddings extends TextTransformer<WordEmbeddings> {
    private static final long serialVersionUID = 1L;

    static final String ANNOTATOR_TYPE = "word_embeddings";

    private final Param<String> pooling;
    private final IntParam maxSentenceLength;
    private final BooleanParam caseSensitive;
    private final BooleanParam splitSentences;
    private final Param<String> outputFormat;
    private final Param<String> textCol;
    private final Param<String> compatibility;
    private final Param<String> storageRef;
    private final IntParam dimension;

    public WordEmbeddings() {
        this(newUid("WordEmbeddings"));
    }

    public WordEmbeddings(String uid) {
        super(uid, "embeddings");
        pooling = new Param<>(this, "pooling", "which pieces of a word make its vector: 'first' (Spark NLP), 'mean' or 'last'",
                ParamValidators.inArray(new String[] {"first", "mean", "last"}));
        maxSentenceLength = new IntParam(this, "maxSentenceLength", "tokens per sentence, special tokens included, beyond which "
                + "it is truncated; 0 = the model's maximum (a sentence-transformers model's max_seq_length)", ParamValidators.gtEq(0));
        caseSensitive = new BooleanParam(this, "caseSensitive", "unset: as the model's tokenizer (lower-casing for uncased "
                + "models); false on a cased model lower-cases the text first; true on an uncased model is refused");
        splitSentences = new BooleanParam(this, "splitSentences", "split texts into sentences (Spark NLP's SentenceDetector "
                + "step), each its own forward pass; false: the whole text is one sequence");
        outputFormat = new Param<>(this, "outputFormat", "'words' (word, begin, end exclusive, sentence, embedding) or "
                + "'annotations' (Spark NLP's annotation schema, end inclusive)", ParamValidators.inArray(new String[] {"words", "annotations"}));
        textCol = new Param<>(this, "textCol", "with an array<string> input column: the text the words are found in; "
                + "empty = the words joined by single spaces");
        compatibility = new Param<>(this, "compatibility", "'transformers' (default: sentences, words and word pieces as "
                + "Hugging Face's tokenizer gives them) or 'spark-nlp' (Spark NLP's default SentenceDetector and Tokenizer, and the "
                + "first basic word of each token as the model input, annotation for annotation as Spark NLP 5.5.3)",
                ParamValidators.inArray(new String[] {SparkNlpCompat.TRANSFORMERS, SparkNlpCompat.SPARK_NLP}));
        storageRef = new Param<>(this, "storageRef", "the annotation column's 'ref' metadata, which Spark NLP's storage-ref "
                + "checks compare (e.g. SentenceEmbeddings copies it); empty = this stage's uid");
        dimension = new IntParam(this, "dimension", "the annotation column's 'dimension' metadata; 0 = the model's hidden size, "
                + "read from its config.json where the driver resolves the model", ParamValidators.gtEq(0));
        setDefault(compatibility, SparkNlpCompat.TRANSFORMERS);
        setDefault(storageRef, "");
        setDefault(dimension, 0);
        setDefault(pooling, "first");
        setDefault(maxSentenceLength, 0);
        setDefault(splitSentences, true);
        setDefault(outputFormat, "words");
        setDefault(textCol, "");
    }

    public static MLReader<WordEmbeddings> read() {
        return new DefaultParamsReadable<WordEmbeddings>() {}.read();
    }

    public static WordEmbeddings load(String path) {
        return read().load(path);
    }

    public Param<String> pooling() {
        return pooling;
    }

    public IntParam maxSentenceLength() {
        return maxSentenceLength;
    }

    public BooleanParam caseSensitive() {
        return caseSensitive;
    }

    public BooleanParam splitSentences() {
        return splitSentences;
    }

    public Param<String> outputFormat() {
        return outputFormat;
    }

    public Param<String> textCol() {
        return textCol;
    }

    public Param<String> compatibility() {
        return compatibility;
    }

    public Param<String> storageRef() {
        return storageRef;
    }

    public IntParam dimension() {
        return dimension;
    }

    /**
     * {@code "transformers"} (default) or {@code "spark-nlp"}: Spark NLP's own sentences, tokens and model
     * input, so that the vectors are those Spark NLP's {@code DistilBertEmbeddings} gives
     * ({@link dev.distil4j.pipeline.SparkNlpEmbeddings}); its output format defaults to annotations.
     */
    public WordEmbeddings setCompatibility(String value) {
        set(compatibility, value);
        return this;
    }

    public WordEmbeddings setStorageRef(String value) {
        set(storageRef, value == null ? "" : value);
        return this;
    }

    public WordEmbeddings setDimension(int value) {
        set(dimension, value);
        return this;
    }

    public String getCompatibility() {
        return getOrDefault(compatibility);
    }

    /** The storage ref the annotation column carries: the parameter, or this stage's uid. */
    public String getStorageRef() {
        String r = getOrDefault(storageRef);
        return r.isEmpty() ? uid() : r;
    }

    public int getDimension() {
        return (Integer) getOrDefault(dimension);
    }

    /** {@code "first"} (default, Spark NLP's), {@code "mean"} or {@code "last"}. */
    public WordEmbeddings setPooling(String value) {
        set(pooling, value);
        return this;
    }

    public WordEmbeddings setMaxSentenceLength(int value) {
        set(maxSentenceLength, value);
        return this;
    }

    public WordEmbeddings setCaseSensitive(boolean value) {
        set(caseSensitive, value);
        return this;
    }

    public WordEmbeddings setSplitSentences(boolean value) {
        set(splitSentences, value);
        return this;
    }

    /** {@code "words"} (default) or {@code "annotations"} (Spark NLP's schema). */
    public WordEmbeddings setOutputFormat(String value) {
        set(outputFormat, value);
        return this;
    }

    public WordEmbeddings setTextCol(String value) {
        set(textCol, value == null ? "" : value);
        return this;
    }

    public String getPooling() {
        return getOrDefault(pooling);
    }

    public int getMaxSentenceLength() {
        return (Integer) getOrDefault(maxSentenceLength);
    }

    /** Null when unset (the model decides). */
    public Boolean getCaseSensitive() {
        return isDefined(caseSensitive) ? (Boolean) getOrDefault(caseSensitive) : null;
    }

    public boolean getSplitSentences() {
        return (Boolean) getOrDefault(splitSentences);
    }

    public String getOutputFormat() {
        return getOrDefault(outputFormat);
    }

    public String getTextCol() {
        return getOrDefault(textCol);
    }

    // ------------------------------------------------------------------ schema

    static final StructType WORD = new StructType()
            .add("word", DataTypes.StringType, false)
            .add("begin", DataTypes.IntegerType, false)
            .add("end", DataTypes.IntegerType, false)
            .add("sentence", DataTypes.IntegerType, false)
            .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    /** Spark NLP's {@code Annotation.dataType}, field for field. */
    static final StructType ANNOTATION = new StructType()
            .add("annotatorType", DataTypes.StringType, true)
            .add("begin", DataTypes.IntegerType, false)
            .add("end", DataTypes.IntegerType, false)
            .add("result", DataTypes.StringType, true)
            .add("metadata", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType), true)
            .add("embeddings", DataTypes.createArrayType(DataTypes.FloatType, false), true);

    private boolean sparkNlp() {
        return getCompatibility().equals(SparkNlpCompat.SPARK_NLP);
    }

    /** The output format: as set, else annotations in Spark NLP compatibility and words otherwise. */
    private boolean annotations() {
        return isSet(outputFormat) ? getOutputFormat().equals("annotations") : sparkNlp();
    }

    /** The vector size the column metadata states, read once per model spec on the driver. */
    private transient String dimensionOf;
    private transient int resolvedDimension;

    private int columnDimension() {
        if (getDimension() > 0) return getDimension();
        if (!getModel().equals(dimensionOf)) {
            resolvedDimension = SparkNlpCompat.hiddenSize(getModel());
            dimensionOf = getModel();
        }
        return resolvedDimension;
    }

    @Override
    StructField outputField() {
        if (annotations()) {
            // what Spark NLP's embeddings annotators put on their column: storage-ref checks read 'ref'
            Metadata md = new MetadataBuilder().putString("annotatorType", ANNOTATOR_TYPE).putLong("dimension", columnDimension())
                    .putString("ref", getStorageRef()).build();
            return new StructField(getOutputCol(), DataTypes.createArrayType(ANNOTATION, true), true, md);
        }
        return new StructField(getOutputCol(), DataTypes.createArrayType(WORD, false), true, Metadata.empty());
    }

    @Override
    void checkInputs(StructType schema) {
        int i = column(schema, "inputCol", getInputCol(), DataTypes.StringType, DataTypes.createArrayType(DataTypes.StringType, true));
        boolean tokens = schema.fields()[i].dataType() instanceof ArrayType;
        if (sparkNlp()) {
            // Spark NLP's own tokenizer and sentence detector make the words: nothing that replaces them
            if (tokens) throw new IllegalArgumentException(name() + ": compatibility 'spark-nlp' splits the text itself; inputCol must be a string column");
            if (!getTextCol().isEmpty()) throw new IllegalArgumentException(name() + ": compatibility 'spark-nlp' takes no textCol");
            if (!getPooling().equals("first")) {
                throw new IllegalArgumentException(name() + ": compatibility 'spark-nlp' takes each word's first piece; pooling must be 'first'");
            }
            if (!getSplitSentences()) {
                throw new IllegalArgumentException(name() + ": compatibility 'spark-nlp' always splits sentences (Spark NLP's SentenceDetector)");
            }
        }
        if (!getTextCol().isEmpty()) {
            if (!tokens) throw new IllegalArgumentException(name() + ": textCol is only for an array<string> input column of words");
            column(schema, "textCol", getTextCol(), DataTypes.StringType);
        }
    }

    @Override
    RowTask<?> task(StructType schema) {
        return new Task(this, schema);
    }

    // ------------------------------------------------------------------ executor side

    /** A text and, for word input, its words. */
    record Input(String text, List<Embeddings.Span> words) {}

    private static final class Task extends RowTask<Input> {
        private static final long serialVersionUID = 1L;

        final int inputIdx;
        final int textIdx;
        final boolean tokens;
        final Embeddings.WordPooling pooling;
        final int maxLength;
        final Boolean caseSensitive;
        final boolean split;
        final boolean annotations;
        final boolean sparkNlp;

        Task(WordEmbeddings s, StructType schema) {
            super(s);
            inputIdx = schema.fieldIndex(s.getInputCol());
            tokens = schema.fields()[inputIdx].dataType() instanceof ArrayType;
            textIdx = s.getTextCol().isEmpty() ? -1 : schema.fieldIndex(s.getTextCol());
            pooling = Embeddings.WordPooling.valueOf(s.getPooling().toUpperCase(Locale.ROOT));
            maxLength = s.getMaxSentenceLength();
            caseSensitive = s.getCaseSensitive();
            split = s.getSplitSentences();
            annotations = s.annotations();
            sparkNlp = s.sparkNlp();
        }

        @Override
        ModelCache.Kind kind() {
            return ModelCache.Kind.ENCODER;
        }

        @Override
        Input input(Row row) {
            if (row.isNullAt(inputIdx)) return null;
            if (!tokens) return new Input(row.getString(inputIdx), null);
            List<String> words = row.getList(inputIdx);
            if (textIdx >= 0) {
                if (row.isNullAt(textIdx)) return null;
                String text = row.getString(textIdx);
                return new Input(text, Embeddings.Span.locate(text, words));
            }
            StringBuilder text = new StringBuilder();
            List<Embeddings.Span> spans = new ArrayList<>(words.size());
            for (int i = 0; i < words.size(); i++) {
                String w = words.get(i);
                if (w == null || w.isEmpty()) throw new IllegalArgumentException("word " + i + " is null or empty");
                if (i > 0) text.append(' ');
                spans.add(new Embeddings.Span(text.length(), text.length() + w.length()));
                text.append(w);
            }
            return new Input(text.toString(), spans);
        }

        @Override
        String describe(Input in) {
            return shorten(in.text());
        }

        @Override
        Runner<Input> runner(ModelCache.Loaded m) {
            if (sparkNlp) return SparkNlpCompat.runner(m.model(), caseSensitive, maxLength, batchSize, annotations);
            Embeddings emb = new Embeddings(m.model(), m.sentenceConfig(),
                    Embeddings.Options.defaults().withMaxLength(maxLength).withBatchSize(batchSize));
            boolean lowers = lowercases(m.model().tokenizer().normalizer());
            if (Boolean.TRUE.equals(caseSensitive) && lowers) {
                throw new IllegalArgumentException("caseSensitive is true, but " + m.model().dir() + " lower-cases its input "
                        + "(an uncased model); leave caseSensitive unset or use a cased model");
            }
            boolean lowerFirst = Boolean.FALSE.equals(caseSensitive) && !lowers;
            return inputs -> {
                List<String> texts = new ArrayList<>(inputs.size());
                for (Input in : inputs) texts.add(lowerFirst ? lowerSameLength(in.text()) : in.text());
                List<List<Embeddings.WordEmbedding>> words;
                if (tokens || !split) {
                    List<List<Embeddings.Span>> spans = null;
                    if (tokens) {
                        spans = new ArrayList<>(inputs.size());
                        for (Input in : inputs) spans.add(in.words());
                    }
                    words = emb.wordsBatch(texts, spans, pooling);
                } else {
                    words = new ArrayList<>(inputs.size());
                    for (Embeddings.DocumentEmbeddings d : emb.documents(texts, SentenceSplitter.rules(), pooling)) words.add(d.words());
                }
                List<Object> out = new ArrayList<>(inputs.size());
                for (int i = 0; i < inputs.size(); i++) out.add(toSpark(inputs.get(i).text(), words.get(i), lowerFirst, lowers || lowerFirst));
                return out;
            };
        }

        /**
         * @param restoreCase the words were lower-cased for the model: report the original's
         * @param lowerResult the model saw lower case: annotations report lower case, as Spark NLP's do
         */
        private Row[] toSpark(String original, List<Embeddings.WordEmbedding> words, boolean restoreCase, boolean lowerResult) {
            Row[] rows = new Row[words.size()];
            for (int i = 0; i < rows.length; i++) {
                Embeddings.WordEmbedding w = words.get(i);
                String word = restoreCase ? original.substring(w.begin(), w.end()) : w.word();
                float[] v = w.vector();
                if (annotations) {
                    String result = lowerResult ? word.toLowerCase(Locale.ROOT) : word;
                    Map<String, String> md = new LinkedHashMap<>();
                    md.put("sentence", Integer.toString(w.sentence()));
                    md.put("token", result);
                    md.put("pieceId", Integer.toString(w.pieceId()));
                    md.put("isWordStart", "true");
                    md.put("isOOV", "false");
                    rows[i] = annotation(w.begin(), w.endInclusive(), result, md, v);
                } else {
                    rows[i] = RowFactory.create(word, w.begin(), w.end(), w.sentence(), v);
                }
            }
            return rows;
        }
    }

    /** One Spark NLP annotation of type {@code word_embeddings}. */
    static Row annotation(int begin, int endInclusive, String result, Map<String, String> metadata, float[] vector) {
        return RowFactory.create(ANNOTATOR_TYPE, begin, endInclusive, result, SparkValues.map(metadata), vector);
    }

    /** Whether the tokenizer lower-cases (BERT uncased, or a Lowercase normalizer). */
    static boolean lowercases(Normalizer n) {
        if (n == null) return false;
        if (n instanceof BertNormalizer b) return b.lowercase();
        if (n instanceof Lowercase) return true;
        if (n instanceof NormalizerSequence s) return s.normalizers().stream().anyMatch(WordEmbeddings::lowercases);
        return false;
    }

    /** Lower case, code point by code point where that keeps the length, so that offsets stay those of the original. */
    static String lowerSameLength(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int lower = Character.toLowerCase(cp);
            b.appendCodePoint(Character.charCount(lower) == Character.charCount(cp) ? lower : cp);
            i += Character.charCount(cp);
        }
        return b.toString();
    }
}
