package dev.distil4j.train.trainer;

import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a model is fine-tuned for: the head, the loss, the data format and the metrics. */
public enum Task {
    /** One text or a pair, one of several labels: cross-entropy; accuracy, F1, Matthews correlation. */
    TEXT_CLASSIFICATION("text-classification", HeadType.SEQUENCE_CLASSIFICATION, "accuracy"),
    /** One text or a pair, a number (STS-B): MSE with {@code num_labels} 1; Pearson and Spearman. */
    REGRESSION("regression", HeadType.SEQUENCE_CLASSIFICATION, "pearson"),
    /** A tag per word (CoNLL): cross-entropy on each word's first piece; entity-level F1 as seqeval. */
    TOKEN_CLASSIFICATION("token-classification", HeadType.TOKEN_CLASSIFICATION, "f1"),
    /** Extractive QA (SQuAD v1.1/v2.0): start/end cross-entropy; exact match and F1 as the SQuAD script. */
    QUESTION_ANSWERING("question-answering", HeadType.QUESTION_ANSWERING, "f1");

    private final String cliName;
    private final HeadType head;
    private final String defaultMetric;

    Task(String cliName, HeadType head, String defaultMetric) {
        this.cliName = cliName;
        this.head = head;
        this.defaultMetric = defaultMetric;
    }

    /** The name on the command line ({@code text-classification}). */
    public String cliName() {
        return cliName;
    }

    public HeadType head() {
        return head;
    }

    /** The metric that picks the best checkpoint unless another is chosen. */
    public String defaultMetric() {
        return defaultMetric;
    }

    /** The metrics its evaluations report (and that can rank checkpoints), besides {@code examples}. */
    public List<String> metricNames() {
        return switch (this) {
            case TEXT_CLASSIFICATION -> List.of("accuracy", "f1", "mcc");
            case REGRESSION -> List.of("pearson", "spearmanr", "mse");
            case TOKEN_CLASSIFICATION -> List.of("precision", "recall", "f1", "accuracy");
            case QUESTION_ANSWERING -> List.of("exact_match", "f1", "exact", "HasAns_exact", "HasAns_f1", "NoAns_exact", "NoAns_f1");
        };
    }

    /** The transformers class suffix written to {@code architectures} ({@code ForSequenceClassification}). */
    String architectureSuffix() {
        return switch (head) {
            case SEQUENCE_CLASSIFICATION -> "ForSequenceClassification";
            case TOKEN_CLASSIFICATION -> "ForTokenClassification";
            case QUESTION_ANSWERING -> "ForQuestionAnswering";
            default -> throw new IllegalStateException(head.toString());
        };
    }

    /** By its command-line name; IllegalArgumentException listing the names otherwise. */
    public static Task parse(String name) {
        for (Task t : values()) {
            if (t.cliName.equals(name.toLowerCase(Locale.ROOT))) return t;
        }
        throw new IllegalArgumentException("unknown task '" + name + "' (expected one of "
                + Arrays.stream(values()).map(Task::cliName).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * The task a fine-tuned model was trained for, from its config: the head its {@code architectures}
     * names, and for sequence classification {@code problem_type} "regression" (or a single label).
     */
    public static Task of(ModelConfig config) {
        HeadType h = config.declaredHead();
        if (h == null) {
            throw new IllegalArgumentException("the model's config.json names no task head in \"architectures\" "
                    + config.architectures() + "; say which with --task");
        }
        return switch (h) {
            case SEQUENCE_CLASSIFICATION -> "regression".equals(config.problemType())
                    || (config.problemType() == null && config.numLabels() == 1) ? REGRESSION : TEXT_CLASSIFICATION;
            case TOKEN_CLASSIFICATION -> TOKEN_CLASSIFICATION;
            case QUESTION_ANSWERING -> QUESTION_ANSWERING;
            default -> throw new IllegalArgumentException("the model is a " + config.architectures().get(0)
                    + ", which has no fine-tuning task head; say which with --task");
        };
    }
}
