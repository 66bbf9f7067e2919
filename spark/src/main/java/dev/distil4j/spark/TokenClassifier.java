package dev.distil4j.spark;

import dev.distil4j.pipeline.TokenClassification;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Hugging Face's {@code pipeline("token-classification")} (NER; {@link TokenClassification}): a label
 * per token, optionally merged into words and entity groups ({@code aggregation}).
 *
 * <p>Output ({@code outputCol}, default {@code "entities"}):
 * {@code array<struct<entity: string, score: float, index: int, word: string, start: int, end: int>>}:
 * {@code entity} is the token's label ({@code B-PER}) or, for groups, the entity type ({@code PER},
 * Hugging Face's {@code entity_group}); {@code index} is the token position, -1 for groups;
 * {@code start}/{@code end} are UTF-16 offsets into the text ({@code end} exclusive). A null text
 * gives null, an empty one an empty array; long texts are truncated, or split into windows with
 * {@code stride}.
 */
public final class TokenClassifier extends TextTransformer<TokenClassifier> {
    private static final long serialVersionUID = 1L;

    private final Param<String> aggregation;
    private final StringArrayParam ignoreLabels;
    private final IntParam stride;

    public TokenClassifier() {
        this(newUid("TokenClassifier"));
    }

    public TokenClassifier(String uid) {
        super(uid, "entities");
        aggregation = new Param<>(this, "aggregation", "aggregation_strategy: 'none', 'simple', 'first', 'average' or 'max'",
                ParamValidators.inArray(new String[] {"none", "simple", "first", "average", "max"}));
        ignoreLabels = new StringArrayParam(this, "ignoreLabels", "labels (or entity groups) left out of the result");
        stride = new IntParam(this, "stride", "-1: truncate long texts; else split them into windows sharing this many "
                + "tokens (needs an aggregation other than none)", ParamValidators.gtEq(-1));
        setDefault(aggregation, "none");
        setDefault(ignoreLabels, new String[] {"O"});
        setDefault(stride, -1);
    }

    public static MLReader<TokenClassifier> read() {
        return new DefaultParamsReadable<TokenClassifier>() {}.read();
    }

    public static TokenClassifier load(String path) {
        return read().load(path);
    }

    public Param<String> aggregation() {
        return aggregation;
    }

    public StringArrayParam ignoreLabels() {
        return ignoreLabels;
    }

    public IntParam stride() {
        return stride;
    }

    public TokenClassifier setAggregation(String value) {
        set(aggregation, value);
        return this;
    }

    public TokenClassifier setIgnoreLabels(String... value) {
        set(ignoreLabels, value);
        return this;
    }

    public TokenClassifier setStride(int value) {
        set(stride, value);
        return this;
    }

    public String getAggregation() {
        return getOrDefault(aggregation);
    }

    public String[] getIgnoreLabels() {
        return getOrDefault(ignoreLabels);
    }

    public int getStride() {
        return (Integer) getOrDefault(stride);
    }

    static final StructType ENTITY = new StructType()
            .add("entity", DataTypes.StringType, false)
            .add("score", DataTypes.FloatType, false)
            .add("index", DataTypes.IntegerType, false)
            .add("word", DataTypes.StringType, false)
            .add("start", DataTypes.IntegerType, false)
            .add("end", DataTypes.IntegerType, false);

    @Override
    StructField outputField() {
        return new StructField(getOutputCol(), DataTypes.createArrayType(ENTITY, false), true, Metadata.empty());
    }

    @Override
    void checkInputs(StructType schema) {
        column(schema, "inputCol", getInputCol(), DataTypes.StringType);
        if (getStride() >= 0 && getAggregation().equals("none")) {
            throw new IllegalArgumentException(name() + ": stride needs an aggregation other than none");
        }
    }

    @Override
    RowTask<?> task(StructType schema) {
        return new Task(this, schema);
    }

    private static final class Task extends RowTask<String> {
        private static final long serialVersionUID = 1L;

        final int inputIdx;
        final String aggregation;
        final List<String> ignoreLabels;
        final int stride;

        Task(TokenClassifier s, StructType schema) {
            super(s);
            inputIdx = schema.fieldIndex(s.getInputCol());
            aggregation = s.getAggregation();
            ignoreLabels = new ArrayList<>(Arrays.asList(s.getIgnoreLabels()));
            stride = s.getStride();
        }

        @Override
        ModelCache.Kind kind() {
            return ModelCache.Kind.WITH_HEAD;
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
            TokenClassification tc = new TokenClassification(m.model(), batchSize);
            TokenClassification.Options options = new TokenClassification.Options(TokenClassification.Aggregation.parse(aggregation),
                    ignoreLabels, stride >= 0 ? stride : null);
            return inputs -> {
                List<Object> out = new ArrayList<>(inputs.size());
                for (List<TokenClassification.Entity> entities : tc.predictBatch(inputs, options)) {
                    Row[] rows = new Row[entities.size()];
                    for (int i = 0; i < rows.length; i++) {
                        TokenClassification.Entity e = entities.get(i);
                        rows[i] = RowFactory.create(e.label(), e.score(), e.index(), e.word(), e.start(), e.end());
                    }
                    out.add(rows);
                }
                return out;
            };
        }
    }
}
