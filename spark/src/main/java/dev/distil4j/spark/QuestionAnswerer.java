package dev.distil4j.spark;

import dev.distil4j.pipeline.QuestionAnswering;
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
 * Hugging Face's {@code pipeline("question-answering")} ({@link QuestionAnswering}): the spans of
 * {@code contextCol} that best answer {@code questionCol}; long contexts are split into windows.
 *
 * <p>Output ({@code outputCol}, default {@code "answers"}): the {@code topK} best answers, best
 * first: {@code array<struct<score: float, start: int, end: int, answer: string>>} with UTF-16
 * offsets into the context ({@code end} exclusive). A null question or context gives null; an empty
 * one is refused as by transformers (see {@code handleInvalid}).
 */
public final class QuestionAnswerer extends Distil4jTransformer<QuestionAnswerer> {
    private static final long serialVersionUID = 1L;

    private final Param<String> questionCol;
    private final Param<String> contextCol;
    private final IntParam topK;
    private final BooleanParam handleImpossibleAnswer;
    private final IntParam maxAnswerLen;
    private final BooleanParam alignToWords;
    private final IntParam docStride;
    private final IntParam maxSeqLen;

    public QuestionAnswerer() {
        this(newUid("QuestionAnswerer"));
    }

    public QuestionAnswerer(String uid) {
        super(uid, "answers");
        questionCol = new Param<>(this, "questionCol", "input column: the question (string)");
        contextCol = new Param<>(this, "contextCol", "input column: the context the answer is taken from (string)");
        topK = new IntParam(this, "topK", "answers per question", ParamValidators.gtEq(1));
        handleImpossibleAnswer = new BooleanParam(this, "handleImpossibleAnswer", "also offer the empty answer");
        maxAnswerLen = new IntParam(this, "maxAnswerLen", "longest answer, in tokens", ParamValidators.gtEq(1));
        alignToWords = new BooleanParam(this, "alignToWords", "widen answers to whole words");
        docStride = new IntParam(this, "docStride", "tokens shared by consecutive windows of a long context; -1 = "
                + "min(maxSeqLen / 2, 128)", ParamValidators.gtEq(-1));
        maxSeqLen = new IntParam(this, "maxSeqLen", "window length in tokens, question included; 0 = min(model maximum, 384)",
                ParamValidators.gtEq(0));
        setDefault(questionCol, "question");
        setDefault(contextCol, "context");
        setDefault(topK, 1);
        setDefault(handleImpossibleAnswer, false);
        setDefault(maxAnswerLen, 15);
        setDefault(alignToWords, true);
        setDefault(docStride, -1);
        setDefault(maxSeqLen, 0);
    }

    public static MLReader<QuestionAnswerer> read() {
        return new DefaultParamsReadable<QuestionAnswerer>() {}.read();
    }

    public static QuestionAnswerer load(String path) {
        return read().load(path);
    }

    public Param<String> questionCol() {
        return questionCol;
    }

    public Param<String> contextCol() {
        return contextCol;
    }

    public IntParam topK() {
        return topK;
    }

    public BooleanParam handleImpossibleAnswer() {
        return handleImpossibleAnswer;
    }

    public IntParam maxAnswerLen() {
        return maxAnswerLen;
    }

    public BooleanParam alignToWords() {
        return alignToWords;
    }

    public IntParam docStride() {
        return docStride;
    }

    public IntParam maxSeqLen() {
        return maxSeqLen;
    }

    public QuestionAnswerer setQuestionCol(String value) {
        set(questionCol, value);
        return this;
    }

    public QuestionAnswerer setContextCol(String value) {
        set(contextCol, value);
        return this;
    }

    public QuestionAnswerer setTopK(int value) {
        set(topK, value);
        return this;
    }

    public QuestionAnswerer setHandleImpossibleAnswer(boolean value) {
        set(handleImpossibleAnswer, value);
        return this;
    }

    public QuestionAnswerer setMaxAnswerLen(int value) {
        set(maxAnswerLen, value);
        return this;
    }

    public QuestionAnswerer setAlignToWords(boolean value) {
        set(alignToWords, value);
        return this;
    }

    public QuestionAnswerer setDocStride(int value) {
        set(docStride, value);
        return this;
    }

    public QuestionAnswerer setMaxSeqLen(int value) {
        set(maxSeqLen, value);
        return this;
    }

    public String getQuestionCol() {
        return getOrDefault(questionCol);
    }

    public String getContextCol() {
        return getOrDefault(contextCol);
    }

    public int getTopK() {
        return (Integer) getOrDefault(topK);
    }

    public boolean getHandleImpossibleAnswer() {
        return (Boolean) getOrDefault(handleImpossibleAnswer);
    }

    public int getMaxAnswerLen() {
        return (Integer) getOrDefault(maxAnswerLen);
    }

    public boolean getAlignToWords() {
        return (Boolean) getOrDefault(alignToWords);
    }

    public int getDocStride() {
        return (Integer) getOrDefault(docStride);
    }

    public int getMaxSeqLen() {
        return (Integer) getOrDefault(maxSeqLen);
    }

    static final StructType ANSWER = new StructType()
            .add("score", DataTypes.FloatType, false)
            .add("start", DataTypes.IntegerType, false)
            .add("end", DataTypes.IntegerType, false)
            .add("answer", DataTypes.StringType, false);

    @Override
    StructField outputField() {
        return new StructField(getOutputCol(), DataTypes.createArrayType(ANSWER, false), true, Metadata.empty());
    }

    @Override
    void checkInputs(StructType schema) {
        column(schema, "questionCol", getQuestionCol(), DataTypes.StringType);
        column(schema, "contextCol", getContextCol(), DataTypes.StringType);
    }

    @Override
    RowTask<?> task(StructType schema) {
        return new Task(this, schema);
    }

    private static final class Task extends RowTask<QuestionAnswering.Input> {
        private static final long serialVersionUID = 1L;

        final int questionIdx;
        final int contextIdx;
        final int topK;
        final boolean impossible;
        final int maxAnswerLen;
        final boolean align;
        final int docStride;
        final int maxSeqLen;

        Task(QuestionAnswerer s, StructType schema) {
            super(s);
            questionIdx = schema.fieldIndex(s.getQuestionCol());
            contextIdx = schema.fieldIndex(s.getContextCol());
            topK = s.getTopK();
            impossible = s.getHandleImpossibleAnswer();
            maxAnswerLen = s.getMaxAnswerLen();
            align = s.getAlignToWords();
            docStride = s.getDocStride();
            maxSeqLen = s.getMaxSeqLen();
        }

        @Override
        ModelCache.Kind kind() {
            return ModelCache.Kind.WITH_HEAD;
        }

        @Override
        QuestionAnswering.Input input(Row row) {
            if (row.isNullAt(questionIdx) || row.isNullAt(contextIdx)) return null;
            return new QuestionAnswering.Input(row.getString(questionIdx), row.getString(contextIdx));
        }

        @Override
        String describe(QuestionAnswering.Input in) {
            return "question " + shorten(in.question()) + " about " + shorten(in.context());
        }

        @Override
        Runner<QuestionAnswering.Input> runner(ModelCache.Loaded m) {
            QuestionAnswering qa = new QuestionAnswering(m.model(), batchSize);
            QuestionAnswering.Options options = QuestionAnswering.Options.defaults().withTopK(topK)
                    .withHandleImpossibleAnswer(impossible).withMaxAnswerLen(maxAnswerLen).withAlignToWords(align)
                    .withDocStride(docStride >= 0 ? docStride : null).withMaxSeqLen(maxSeqLen > 0 ? maxSeqLen : null);
            return inputs -> {
                List<Object> out = new ArrayList<>(inputs.size());
                for (List<QuestionAnswering.Answer> answers : qa.predictBatch(inputs, options)) {
                    Row[] rows = new Row[answers.size()];
                    for (int i = 0; i < rows.length; i++) {
                        QuestionAnswering.Answer a = answers.get(i);
                        rows[i] = RowFactory.create(a.score(), a.start(), a.end(), a.answer());
                    }
                    out.add(rows);
                }
                return out;
            };
        }
    }
}
