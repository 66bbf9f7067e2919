package dev.distil4j.pipeline;

import dev.distil4j.model.HeadType;

/** The pipeline tasks, named as Hugging Face names them. */
public enum Task {
    FILL_MASK("fill-mask"),
    TEXT_CLASSIFICATION("text-classification"),
    TOKEN_CLASSIFICATION("token-classification"),
    QUESTION_ANSWERING("question-answering"),
    FEATURE_EXTRACTION("feature-extraction");

    private final String hfName;

    Task(String hfName) {
        this.hfName = hfName;
    }

    public String hfName() {
        return hfName;
    }

    /** The task a model head serves; a bare encoder serves feature extraction (embeddings). */
    public static Task of(HeadType head) {
        return switch (head) {
            case MASKED_LM -> FILL_MASK;
            case SEQUENCE_CLASSIFICATION -> TEXT_CLASSIFICATION;
            case TOKEN_CLASSIFICATION -> TOKEN_CLASSIFICATION;
            case QUESTION_ANSWERING -> QUESTION_ANSWERING;
            case NONE -> FEATURE_EXTRACTION;
        };
    }
}
