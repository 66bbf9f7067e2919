package dev.distil4j.model;

/** What sits on top of the encoder, as in transformers' {@code *For...} classes. */
public enum HeadType {
    /** The bare model ({@code DistilBertModel}, {@code BertModel}: with its pooler when the checkpoint has one). */
    NONE,
    MASKED_LM,
    SEQUENCE_CLASSIFICATION,
    TOKEN_CLASSIFICATION,
    QUESTION_ANSWERING;

    /** The head named by an {@code architectures} entry such as "DistilBertForMaskedLM"; null when not one of ours. */
    static HeadType fromArchitectureName(String name) {
        if (name.endsWith("ForMaskedLM") || name.endsWith("ForPreTraining")) return MASKED_LM;
        if (name.endsWith("ForSequenceClassification")) return SEQUENCE_CLASSIFICATION;
        if (name.endsWith("ForTokenClassification")) return TOKEN_CLASSIFICATION;
        if (name.endsWith("ForQuestionAnswering")) return QUESTION_ANSWERING;
        if (name.endsWith("Model")) return NONE;
        return null;
    }
}
