package dev.distil4j.spark;

import org.apache.spark.ml.param.IntParam;
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
 * Hugging Face's {@code pipeline("fill-mask")} ({@link dev.distil4j.pipeline.FillMask}): the most
 * likely tokens for each mask token ({@code [MASK]}, {@code <mask>}) of a text.
 *
 * <p>Output ({@code outputCol}, default {@code "predictions"}): one list per mask, in text order, of
 * the {@code topK} best candidates: {@code array<array<struct<score: float, token: int, token_str:
 * string, sequence: string>>>}, the fields of the pipeline's result. A null text gives null. A text
 * without a mask, or longer than the model, is refused as by transformers: see {@code handleInvalid}.
 */
public final class FillMask extends TextTransformer<FillMask> {
    private static final long serialVersionUID = 1L;

    private final IntParam topK;
    private final StringArrayParam targets;

    public FillMask() {
        this(newUid("FillMask"));
    }

    public FillMask(String uid) {
        super(uid, "predictions");
        topK = new IntParam(this, "topK", "candidates per mask", ParamValidators.gtEq(1));
        targets = new StringArrayParam(this, "targets", "score only these words (empty: the whole vocabulary); a word "
                + "that is not a vocabulary entry is replaced by its first token, as transformers does");
        setDefault(topK, 5);
        setDefault(targets, new String[0]);
    }

    public static MLReader<FillMask> read() {
        return new DefaultParamsReadable<FillMask>() {}.read();
    }

    public static FillMask load(String path) {
        return read().load(path);
    }

    public IntParam topK() {
        return topK;
    }

    public StringArrayParam targets() {
        return targets;
    }

    public FillMask setTopK(int value) {
        set(topK, value);
        return this;
    }

    public FillMask setTargets(String... value) {
        set(targets, value);
        return this;
    }

    public int getTopK() {
        return (Integer) getOrDefault(topK);
    }

    public String[] getTargets() {
        return getOrDefault(targets);
    }

    static final StructType PREDICTION = new StructType()
            .add("score", DataTypes.FloatType, false)
            .add("token", DataTypes.IntegerType, false)
            .add("token_str", DataTypes.StringType, false)
            .add("sequence", DataTypes.StringType, false);

    @Override
    StructField outputField() {
        return new StructField(getOutputCol(), DataTypes.createArrayType(DataTypes.createArrayType(PREDICTION, false), false),
                true, Metadata.empty());
    }

    @Override
    void checkInputs(StructType schema) {
        column(schema, "inputCol", getInputCol(), DataTypes.StringType);
    }

    @Override
    RowTask<?> task(StructType schema) {
        return new Task(this, schema);
    }

    private static final class Task extends RowTask<String> {
        private static final long serialVersionUID = 1L;

        final int inputIdx;
        final int topK;
        final List<String> targets;

        Task(FillMask s, StructType schema) {
            super(s);
            inputIdx = schema.fieldIndex(s.getInputCol());
            topK = s.getTopK();
            targets = new ArrayList<>(Arrays.asList(s.getTargets()));
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
            dev.distil4j.pipeline.FillMask fm = new dev.distil4j.pipeline.FillMask(m.model(), batchSize);
            dev.distil4j.pipeline.FillMask.Options options = dev.distil4j.pipeline.FillMask.Options.defaults()
                    .withTopK(topK).withTargets(targets);
            return inputs -> {
                List<Object> out = new ArrayList<>(inputs.size());
                for (dev.distil4j.pipeline.FillMask.Result r : fm.predictBatch(inputs, options)) {
                    Row[][] masks = new Row[r.masks().size()][];
                    for (int i = 0; i < masks.length; i++) {
                        List<dev.distil4j.pipeline.FillMask.Prediction> ps = r.masks().get(i);
                        masks[i] = new Row[ps.size()];
                        for (int j = 0; j < ps.size(); j++) {
                            var p = ps.get(j);
                            masks[i][j] = RowFactory.create(p.score(), p.token(), p.tokenStr(), p.sequence());
                        }
                    }
                    out.add(masks);
                }
                return out;
            };
        }
    }
}
