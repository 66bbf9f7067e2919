package dev.distil4j.train.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.model.Architecture;

/**
 * The dropout probabilities a config.json sets, under each family's names and transformers'
 * defaults. DistilBERT: {@code dropout} (hidden, token classification), {@code attention_dropout},
 * {@code seq_classif_dropout}, {@code qa_dropout}; BERT and RoBERTa: {@code hidden_dropout_prob},
 * {@code attention_probs_dropout_prob}, {@code classifier_dropout} (null: the hidden one).
 */
public record Dropouts(float hidden, float attention, float classifier, float qa) {
    public static final Dropouts NONE = new Dropouts(0, 0, 0, 0);

    public Dropouts {
        for (float p : new float[] {hidden, attention, classifier, qa}) {
            if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probabilities must be in [0, 1), not " + p);
        }
    }

    /** Every probability set to {@code p} (the {@code --dropout} override). */
    public static Dropouts all(float p) {
        return new Dropouts(p, p, p, p);
    }

    static Dropouts fromConfig(Architecture arch, JsonNode config) {
        if (arch == Architecture.DISTILBERT) {
            float hidden = number(config, "dropout", 0.1f);
            return new Dropouts(hidden, number(config, "attention_dropout", 0.1f),
                    number(config, "seq_classif_dropout", 0.2f), number(config, "qa_dropout", 0.1f));
        }
        float hidden = number(config, "hidden_dropout_prob", 0.1f);
        return new Dropouts(hidden, number(config, "attention_probs_dropout_prob", 0.1f),
                number(config, "classifier_dropout", hidden), 0f);
    }

    private static float number(JsonNode config, String key, float fallback) {
        JsonNode v = config.get(key);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber()) throw new IllegalArgumentException("config.json: \"" + key + "\" must be a number, not " + v);
        return v.floatValue();
    }
}
