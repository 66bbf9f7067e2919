package dev.distil4j.spark;

import dev.distil4j.pipeline.TextClassification;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * Hugging Face's {@code pipeline("text-classification")} ({@link TextClassification}): label scores
 * for a text, or a text pair when {@code textPairCol} is set (NLI premise/hypothesis,
 * question/passage).
 *
 * <p>Output ({@code outputCol}, default {@code "classes"}): the {@code topK} best labels, best
 * first: {@code array<struct<label: string, score: float>>} ({@code topK} 0 = every label). A null
 * text gives null (a null pair: the text alone). A text longer than the model is refused, as by
 * transformers, unless {@code truncation} is on: see {@code handleInvalid}.
 */
public final class TextClassifier extends TextTransformer<TextClassifier> {
    private static final long serialVersionUID = 1L;

    private final Param<String> textPairCol;
    private final IntParam topK;
    private final Param<String> function;
    private final BooleanParam truncation;
    private final IntParam maxLength;

    public TextClassifier() {
        this(newUid("TextClassifier"));
    }

    public TextClassifier(String uid) {
        super(uid, "classes");
        textPairCol = new Param<>(this, "textPairCol", "second text of a pair (string column); empty = single texts");
        topK = new IntParam(this, "topK", "labels per text, best first; 0 = all", ParamValidators.gtEq(0));
        function = new Param<>(this, "function", "function_to_apply: 'softmax', 'sigmoid', 'none', or empty for the model's "
                + "default (sigmoid for multi-label or single-label models, else softmax)",
                ParamValidators.inArray(new String[] {"", "softmax", "sigmoid", "none"}));
        truncation = new BooleanParam(this, "truncation", "cut texts longer than the model (longest first for pairs) "
                + "instead of refusing them");
        maxLength = new IntParam(this, "maxLength", "with truncation: tokens to cut to; 0 = the model's maximum", ParamValidators.gtEq(0));
        setDefault(textPairCol, "");
        setDefault(topK, 1);
        setDefault(function, "");
        setDefault(truncation, false);
        setDefault(maxLength, 0);
    }

    public static MLReader<TextClassifier> read() {
        return new DefaultParamsReadable<TextClassifier>() {}.read();
    }

    public static TextClassifier load(String path) {
        return read().load(path);
    }

    public Param<String> textPairCol() {
        return textPairCol;
    }

    public IntParam topK() {
        return topK;
    }

    public Param<String> function() {
        return function;
    }

    public BooleanParam truncation() {
        return truncation;
    }

    public IntParam maxLength() {
        return maxLength;
    }

    public TextClassifier setTextPairCol(String value) {
        set(textPairCol, value == null ? "" : value);
        return this;
    }

    public TextClassifier setTopK(int value) {
        set(topK, value);
        return this;
    }

    public TextClassifier setFunction(String value) {
        set(function, value == null ? "" : value);
        return this;
    }

    public TextClassifier setTruncation(boolean value) {
        set(truncation, value);
        return this;
    }

    public TextClassifier setMaxLength(int value) {
        set(maxLength, value);
        return this;
    }

    public String getTextPairCol() {
        return getOrDefault(textPairCol);
    }

    public int getTopK() {
        return (Integer) getOrDefault(topK);
    }

    public String getFunction() {
        return getOrDefault(function);
    }

    public boolean getTruncation() {
        return (Boolean) getOrDefault(truncation);
    }

    public int getMaxLength() {
        return (Integer) getOrDefault(maxLength);
    }

    static final StructType LABEL = new StructType()
            .add("label", DataTypes.StringType, false)
            .add("score", DataTypes.FloatType, false);

    @Override
    StructField outputField() {
        return new StructField(getOutputCol(), DataTypes.createArrayType(LABEL, false), true, Metadata.empty());
    }

    @Override
    void checkInputs(StructType schema) {
        column(schema, "inputCol", getInputCol(), DataTypes.StringType);
        if (!getTextPairCol().isEmpty()) column(schema, "textPairCol", getTextPairCol(), DataTypes.StringType);
    }

    @Override
    RowTask<?> task(StructType schema) {
        return new Task(this, schema);
    }

    private static final class Task extends RowTask<TextClassification.Input> {
        private static final long serialVersionUID = 1L;

        final int inputIdx;
        final int pairIdx;
        final int topK;
        final String function;
        final boolean truncation;
        final int maxLength;

        Task(TextClassifier s, StructType schema) {
            super(s);
            inputIdx = schema.fieldIndex(s.getInputCol());
            pairIdx = s.getTextPairCol().isEmpty() ? -1 : schema.fieldIndex(s.getTextPairCol());
            topK = s.getTopK();
            function = s.getFunction();
            truncation = s.getTruncation();
            maxLength = s.getMaxLength();
        }

        @Override
        ModelCache.Kind kind() {
            return ModelCache.Kind.WITH_HEAD;
        }

        @Override
        TextClassification.Input input(Row row) {
            if (row.isNullAt(inputIdx)) return null;
            String pair = pairIdx >= 0 && !row.isNullAt(pairIdx) ? row.getString(pairIdx) : null;
            return new TextClassification.Input(row.getString(inputIdx), pair);
        }

        @Override
        String describe(TextClassification.Input in) {
            return shorten(in.text()) + (in.textPair() != null ? " with pair " + shorten(in.textPair()) : "");
        }

        @Override
        Runner<TextClassification.Input> runner(ModelCache.Loaded m) {
            TextClassification tc = new TextClassification(m.model(), batchSize);
            TextClassification.Options options = new TextClassification.Options(
                    function.isEmpty() ? null : TextClassification.Function.parse(function),
                    topK == 0 ? TextClassification.ALL : topK, truncation, maxLength);
            return inputs -> {
                List<Object> out = new ArrayList<>(inputs.size());
                for (List<TextClassification.LabelScore> scores : tc.classifyBatch(inputs, options)) {
                    Row[] rows = new Row[scores.size()];
                    for (int i = 0; i < rows.length; i++) rows[i] = RowFactory.create(scores.get(i).label(), scores.get(i).score());
                    out.add(rows);
                }
                return out;
            };
        }
    }
}
