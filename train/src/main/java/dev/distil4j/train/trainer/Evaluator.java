package dev.distil4j.train.trainer;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.data.LabelSet;
import dev.distil4j.train.nn.TrainableModel;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Scores a fine-tuned model on a labelled file with the metrics training reports: what
 * {@code distil4j evaluate} runs. The file is read and encoded as for training, with the model's labels
 * (a record with another label is bad).
 */
public final class Evaluator {
    private Evaluator() {}

    /**
     * @param task    the model's task
     * @param metrics the task's metrics, ending with {@code examples}
     * @param skipped the bad records left out, as {@code file:line: reason}
     */
    public record Result(Task task, Map<String, Double> metrics, List<String> skipped) {}

    /**
     * @param task      null: from the model's config ({@link Task#of})
     * @param batchSize sequences per forward pass
     * @param threads   compute threads, 0 for every core
     */
    public static Result run(Path modelDir, Path dataFile, Task task, DataArguments data, int batchSize, int threads) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0: every core), got " + threads);
        ModelConfig config = ModelConfig.read(modelDir.resolve("config.json"));
        Task t = task != null ? task : Task.of(config);
        LabelSet labels = t == Task.TEXT_CLASSIFICATION || t == Task.TOKEN_CLASSIFICATION
                ? new LabelSet(data.labels() != null ? data.labels() : config.labels()) : null;
        Tokenizer tokenizer = Tokenizer.fromDirectory(modelDir);
        TaskData.Records records = TaskData.read(t, dataFile, data, labels);
        TaskData encoded = TaskData.encode(records, tokenizer, labels, Trainer.maxLength(t, data, tokenizer, config),
                data.docStride(), data.skipBadRecords(), false);
        try (Compute compute = new Compute(Kernels.best(), threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
             TrainableModel model = TrainableModel.load(modelDir, TrainableModel.Options.defaults().withHead(t.head())
                     .withLabels(labels == null ? null : labels.labels()).withCompute(compute))) {
            if (!model.initialized().isEmpty()) {
                throw new IllegalArgumentException(modelDir + " has no trained " + t.cliName() + " head (missing "
                        + model.initialized().get(0) + "): evaluate a fine-tuned model");
            }
            if (t == Task.REGRESSION && model.config().numLabels() != 1) {
                throw new IllegalArgumentException(modelDir + " predicts " + model.config().numLabels()
                        + " labels, a regression model one number");
            }
            return new Result(t, Scoring.evaluate(model, encoded, labels, batchSize), encoded.skipped);
        }
    }
}
