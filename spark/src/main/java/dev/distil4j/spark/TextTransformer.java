package dev.distil4j.spark;

import org.apache.spark.ml.param.Param;

/**
 * A stage that reads one text column ({@code inputCol}, default {@code "text"}).
 *
 * @param <T> the concrete stage, so that setters chain
 */
public abstract class TextTransformer<T extends TextTransformer<T>> extends Distil4jTransformer<T> {
    private static final long serialVersionUID = 1L;

    private final Param<String> inputCol;

    protected TextTransformer(String uid, String defaultOutputCol) {
        super(uid, defaultOutputCol);
        inputCol = new Param<>(this, "inputCol", "input column: the text (string)");
        setDefault(inputCol, "text");
    }

    public final Param<String> inputCol() {
        return inputCol;
    }

    public T setInputCol(String value) {
        set(inputCol, value);
        return self();
    }

    public String getInputCol() {
        return getOrDefault(inputCol);
    }
}
