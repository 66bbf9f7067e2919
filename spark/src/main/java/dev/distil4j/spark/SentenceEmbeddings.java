package dev.distil4j.spark;

import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.SentenceTransformerConfig;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One vector per text, as sentence-transformers' {@code encode} and {@link Embeddings#sentences}:
 * pooling, then the model's Dense and Normalize modules, configured from the model's
 * sentence-transformers files ({@code modules.json} & co.) unless {@code pooling} or
 * {@code normalize} say otherwise.
 *
 * <p>Output ({@code outputCol}, default {@code "sentence_embeddings"}): {@code array<float>}
 * ({@code org.apache.spark.ml.functions.array_to_vector} makes an ML vector of it). A null text gives
 * null; an empty text the vector of {@code [CLS] [SEP]}, as sentence-transformers; a text longer
 * than {@code maxLength} is truncated, or with {@code longInputs = "windows"} averaged over
 * overlapping windows.
 */
public final class SentenceEmbeddings extends TextTransformer<SentenceEmbeddings> {
    private static final long serialVersionUID = 1L;

    private final Param<String> pooling;
    private final BooleanParam normalize;
    private final IntParam maxLength;
    private final Param<String> longInputs;
    private final IntParam stride;

    public SentenceEmbeddings() {
        this(newUid("SentenceEmbeddings"));
    }

    public SentenceEmbeddings(String uid) {
        super(uid, "sentence_embeddings");
        pooling = new Param<>(this, "pooling", "pooling modes, comma-separated, concatenated in the order cls, max, mean, "
                + "mean_sqrt_len; empty = the model's (1_Pooling/config.json, else mean)");
        normalize = new BooleanParam(this, "normalize", "L2-normalise the vectors; unset = as the model's modules.json says");
        maxLength = new IntParam(this, "maxLength", "tokens per text, special tokens included; 0 = the model's max_seq_length, "
                + "else its maximum", ParamValidators.gtEq(0));
        longInputs = new Param<>(this, "longInputs", "texts longer than maxLength: 'truncate' or 'windows' (overlapping "
                + "windows, averaged)", ParamValidators.inArray(new String[] {"truncate", "windows"}));
        stride = new IntParam(this, "stride", "with windows: tokens shared by consecutive windows; -1 = a quarter of the window",
                ParamValidators.gtEq(-1));
        setDefault(pooling, "");
        setDefault(maxLength, 0);
        setDefault(longInputs, "truncate");
        setDefault(stride, -1);
    }

    public static MLReader<SentenceEmbeddings> read() {
        return new DefaultParamsReadable<SentenceEmbeddings>() {}.read();
    }

    public static SentenceEmbeddings load(String path) {
        return read().load(path);
    }

    public Param<String> pooling() {
        return pooling;
    }

    public BooleanParam normalize() {
        return normalize;
    }

    public IntParam maxLength() {
        return maxLength;
    }

    public Param<String> longInputs() {
        return longInputs;
    }

    public IntParam stride() {
        return stride;
    }

    /** E.g. {@code "mean"}, {@code "cls"}, {@code "cls,mean"}; empty for the model's own. */
    public SentenceEmbeddings setPooling(String value) {
        set(pooling, value == null ? "" : value);
        return this;
    }

    public SentenceEmbeddings setNormalize(boolean value) {
        set(normalize, value);
        return this;
    }

    public SentenceEmbeddings setMaxLength(int value) {
        set(maxLength, value);
        return this;
    }

    /** {@code "truncate"} (default) or {@code "windows"}. */
    public SentenceEmbeddings setLongInputs(String value) {
        set(longInputs, value);
        return this;
    }

    public SentenceEmbeddings setStride(int value) {
        set(stride, value);
        return this;
    }

    public String getPooling() {
        return getOrDefault(pooling);
    }

    /** Null when unset (the model decides). */
    public Boolean getNormalize() {
        return isDefined(normalize) ? (Boolean) getOrDefault(normalize) : null;
    }

    public int getMaxLength() {
        return (Integer) getOrDefault(maxLength);
    }

    public String getLongInputs() {
        return getOrDefault(longInputs);
    }

    public int getStride() {
        return (Integer) getOrDefault(stride);
    }

    @Override
    StructField outputField() {
        return new StructField(getOutputCol(), DataTypes.createArrayType(DataTypes.FloatType, false), true, Metadata.empty());
    }

    @Override
    void checkInputs(StructType schema) {
        column(schema, "inputCol", getInputCol(), DataTypes.StringType);
        poolingModes(getPooling()); // fail on the driver for a misspelt mode
    }

    @Override
    RowTask<?> task(StructType schema) {
        return new Task(this, schema);
    }

    static List<SentenceTransformerConfig.Pooling> poolingModes(String s) {
        List<SentenceTransformerConfig.Pooling> out = new ArrayList<>();
        if (s == null || s.isBlank()) return out;
        for (String p : s.split(",")) {
            SentenceTransformerConfig.Pooling mode = SentenceTransformerConfig.Pooling.parse(p);
            if (!out.contains(mode)) out.add(mode);
        }
        out.sort(null); // enum order: the order sentence-transformers concatenates them in
        return out;
    }

    private static final class Task extends RowTask<String> {
        private static final long serialVersionUID = 1L;

        final int inputIdx;
        final String pooling;
        final Boolean normalize;
        final int maxLength;
        final Embeddings.LongInputs longInputs;
        final int stride;

        Task(SentenceEmbeddings s, StructType schema) {
            super(s);
            inputIdx = schema.fieldIndex(s.getInputCol());
            pooling = s.getPooling();
            normalize = s.getNormalize();
            maxLength = s.getMaxLength();
            longInputs = Embeddings.LongInputs.valueOf(s.getLongInputs().toUpperCase(Locale.ROOT));
            stride = s.getStride();
        }

        @Override
        ModelCache.Kind kind() {
            return ModelCache.Kind.ENCODER;
        }

        @Override
        String input(Row row) {
            return row.isNullAt(inputIdx) ? null : row.getString(inputIdx);
        }

        @Override
        String describe(String in) {
            return shorten(in);
        }

        @Override
        Runner<String> runner(ModelCache.Loaded m) {
            SentenceTransformerConfig config = m.sentenceConfig();
            List<SentenceTransformerConfig.Pooling> modes = poolingModes(pooling);
            if (!modes.isEmpty() || normalize != null) {
                config = config.with(modes.isEmpty() ? config.pooling() : modes, normalize != null ? normalize : config.normalizes());
            }
            Embeddings emb = new Embeddings(m.model(), config, new Embeddings.Options(maxLength, longInputs, stride, batchSize));
            return inputs -> new ArrayList<>(emb.sentences(inputs));
        }
    }
}
