package dev.distil4j.train.trainer;

import java.nio.file.Path;
import java.util.Map;

/**
 * How a {@link Trainer#train} call ended.
 *
 * @param globalStep     optimizer steps done, in all (a resumed run counts from the start)
 * @param epoch          epochs done, fractional
 * @param interrupted    stopped by {@link Trainer#requestStop()}: the last checkpoint holds the state, the output
 *                       directory has no final model yet
 * @param trainLoss      the mean training loss of the steps this call ran (NaN when none)
 * @param lastCheckpoint the newest checkpoint written, or null
 * @param metrics        the last evaluation's metrics, or null
 * @param bestCheckpoint the checkpoint with the best {@code metricForBest}, or null
 * @param bestMetric     its value, or null
 */
public record TrainResult(Path outputDir, int globalStep, double epoch, boolean interrupted, double trainLoss,
                          Path lastCheckpoint, Map<String, Double> metrics, Path bestCheckpoint, Double bestMetric) {}
