package dev.distil4j.train.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.io.JsonInput;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint's {@code trainer_state.json}: where the run stands (step, epoch, batches of the epoch done),
 * what its data order and schedule depend on (so that a resume with other settings is refused rather than
 * silently different), the best checkpoint so far, the running loss sums, and the log history. Doubles are
 * written in their shortest exact form, so a resumed run continues bit for bit.
 *
 * @param epoch         the epoch under way (0-based)
 * @param batchesDone   micro-batches of that epoch's order already used
 * @param epochFloat    the epoch as transformers logs it (1.5: half way through the second)
 * @param lossSum       the training loss summed since the last evaluation, and {@code lossSteps} its steps
 * @param logSum        the training loss summed since the last log-history entry, and {@code logSteps}
 */
record TrainerState(int globalStep, int maxSteps, int epoch, int batchesDone, double epochFloat, int trainFeatures,
                    int batchSize, int gradientAccumulation, long seed, boolean shuffle, boolean groupByLength,
                    double learningRate, int warmupSteps, String metricForBest, Double bestMetric,
                    String bestCheckpoint, double lossSum, int lossSteps, double logSum, int logSteps,
                    List<ObjectNode> logHistory) {

    TrainerState {
        logHistory = logHistory.stream().map(ObjectNode::deepCopy).toList();
    }

    void write(Path file) throws IOException {
        ObjectNode o = ModelDirectory.JSON.createObjectNode();
        o.put("global_step", globalStep).put("max_steps", maxSteps).put("epoch", epochFloat)
                .put("epoch_index", epoch).put("batches_done_in_epoch", batchesDone)
                .put("train_features", trainFeatures).put("train_batch_size", batchSize)
                .put("gradient_accumulation_steps", gradientAccumulation).put("seed", seed)
                .put("shuffle", shuffle).put("group_by_length", groupByLength);
        o.putObject("scheduler").put("type", "linear").put("learning_rate", learningRate)
                .put("warmup_steps", warmupSteps).put("total_steps", maxSteps);
        o.put("metric_for_best_model", metricForBest);
        if (bestMetric == null) o.putNull("best_metric"); else o.put("best_metric", bestMetric);
        o.put("best_model_checkpoint", bestCheckpoint);
        o.put("loss_sum_since_eval", lossSum).put("steps_since_eval", lossSteps)
                .put("loss_sum_since_log", logSum).put("steps_since_log", logSteps);
        ArrayNode h = o.putArray("log_history");
        logHistory.forEach(h::add);
        ModelDirectory.writeJson(file, o);
    }

    static TrainerState read(Path file) {
        JsonNode o = JsonInput.read(file, IllegalArgumentException::new);
        try {
            JsonNode s = need(o, "scheduler", file);
            List<ObjectNode> history = new java.util.ArrayList<>();
            need(o, "log_history", file).forEach(n -> history.add((ObjectNode) n));
            JsonNode best = o.get("best_metric");
            return new TrainerState(need(o, "global_step", file).asInt(), need(o, "max_steps", file).asInt(),
                    need(o, "epoch_index", file).asInt(), need(o, "batches_done_in_epoch", file).asInt(),
                    need(o, "epoch", file).asDouble(), need(o, "train_features", file).asInt(),
                    need(o, "train_batch_size", file).asInt(), need(o, "gradient_accumulation_steps", file).asInt(),
                    need(o, "seed", file).asLong(), need(o, "shuffle", file).asBoolean(),
                    need(o, "group_by_length", file).asBoolean(), need(s, "learning_rate", file).asDouble(),
                    need(s, "warmup_steps", file).asInt(), text(o.get("metric_for_best_model")),
                    best == null || best.isNull() ? null : best.asDouble(), text(o.get("best_model_checkpoint")),
                    need(o, "loss_sum_since_eval", file).asDouble(), need(o, "steps_since_eval", file).asInt(),
                    need(o, "loss_sum_since_log", file).asDouble(), need(o, "steps_since_log", file).asInt(), history);
        } catch (ClassCastException e) {
            throw new IllegalArgumentException(file + ": log_history must hold objects");
        }
    }

    private static JsonNode need(JsonNode o, String key, Path file) {
        JsonNode v = o.get(key);
        if (v == null || v.isNull()) throw new IllegalArgumentException(file + ": no \"" + key + "\" (not a distil4j trainer state)");
        return v;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}
