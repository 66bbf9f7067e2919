package dev.distil4j.model;

import java.util.Locale;

/** The encoder families distil4j runs, by the {@code model_type} of config.json. */
public enum Architecture {
    DISTILBERT("distilbert"),
    BERT("bert"),
    /** Also xlm-roberta and camembert: the same network with another vocabulary. */
    ROBERTA("roberta");

    private final String prefix;

    Architecture(String prefix) {
        this.prefix = prefix;
    }

    /** The key prefix of the base model inside task checkpoints ({@code distilbert.}, {@code bert.}, {@code roberta.}). */
    public String prefix() {
        return prefix;
    }

    static Architecture fromModelType(String modelType) {
        return switch (modelType.toLowerCase(Locale.ROOT)) {
            case "distilbert" -> DISTILBERT;
            case "bert" -> BERT;
            case "roberta", "xlm-roberta", "camembert" -> ROBERTA;
            default -> null;
        };
    }
}
