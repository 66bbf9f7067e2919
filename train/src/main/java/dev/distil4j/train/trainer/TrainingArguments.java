package dev.distil4j.train.trainer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The hyperparameters and bookkeeping of a fine-tuning run, under transformers' {@code TrainingArguments}
 * names and with its defaults where it has them. Build with {@link #builder(Path)}.
 *
 * @param outputDir            where the model, checkpoints and metrics.jsonl go
 * @param learningRate         AdamW's peak rate (5e-5)
 * @param epochs               passes over the training data (3); fractional epochs stop part way
 * @param maxSteps             optimizer steps in all, overriding {@code epochs} when > 0 (-1)
 * @param batchSize            examples per micro-batch, for training and evaluation (8)
 * @param gradientAccumulation micro-batches per optimizer step (1)
 * @param warmupRatio          share of the steps with a rising rate (0); ignored when {@code warmupSteps} > 0
 * @param warmupSteps          steps with a rising rate (0)
 * @param weightDecay          AdamW's decoupled decay, not on biases and LayerNorm weights (0)
 * @param maxGradNorm          clip the global gradient norm to this; 0 turns clipping off (1.0)
 * @param adamEpsilon          AdamW's epsilon (1e-8)
 * @param seed                 head initialisation, data order and dropout masks (42)
 * @param evalSteps            evaluate every this many steps; 0: at the end of each epoch
 * @param saveSteps            write a checkpoint every this many steps; 0: at the end of each epoch
 * @param loggingSteps         add the mean training loss to the log history every this many steps (500)
 * @param saveTotalLimit       keep at most this many checkpoints, deleting the oldest but never the best;
 *                             0 keeps all
 * @param keepBest             keep the checkpoint with the best {@code metricForBest} and make it the final model
 *                             (transformers' {@code load_best_model_at_end}); needs validation data
 * @param metricForBest        the metric that ranks checkpoints; null for the task's ({@link Task#defaultMetric()});
 *                             lower is better for {@code mse} and names containing {@code loss}
 * @param threads              compute threads; 0 for every core
 * @param dropout              every dropout probability of the model; null keeps the config's
 * @param shuffle              a new random order of the training data each epoch; off keeps the file's order
 * @param groupByLength        batches of similar lengths (transformers' {@code group_by_length}), so that
 *                             padding costs little
 * @param gradientCheckpointing recompute each layer's activations in the backward (less memory, slower)
 * @param resumeFrom           a checkpoint directory to continue from, or null for a fresh run
 * @param overwriteOutputDir   start afresh in an output directory that holds checkpoints (they are deleted)
 */
public record TrainingArguments(Path outputDir, double learningRate, double epochs, int maxSteps, int batchSize,
                                int gradientAccumulation, double warmupRatio, int warmupSteps, double weightDecay,
                                double maxGradNorm, double adamEpsilon, long seed, int evalSteps, int saveSteps,
                                int loggingSteps, int saveTotalLimit, boolean keepBest, String metricForBest,
                                int threads, Float dropout, boolean shuffle, boolean groupByLength,
                                boolean gradientCheckpointing, Path resumeFrom, boolean overwriteOutputDir) {

    public TrainingArguments {
        Objects.requireNonNull(outputDir, "outputDir");
        check(learningRate >= 0 && Double.isFinite(learningRate), "learning rate must be >= 0, got " + learningRate);
        check(epochs > 0 && Double.isFinite(epochs), "epochs must be > 0, got " + epochs);
        check(batchSize >= 1, "batch size must be >= 1, got " + batchSize);
        check(gradientAccumulation >= 1, "gradient accumulation must be >= 1, got " + gradientAccumulation);
        check(warmupRatio >= 0 && warmupRatio <= 1, "warmup ratio must be in [0, 1], got " + warmupRatio);
        check(warmupSteps >= 0, "warmup steps must be >= 0, got " + warmupSteps);
        check(weightDecay >= 0, "weight decay must be >= 0, got " + weightDecay);
        check(maxGradNorm >= 0, "max grad norm must be >= 0 (0: no clipping), got " + maxGradNorm);
        check(adamEpsilon > 0, "adam epsilon must be > 0, got " + adamEpsilon);
        check(evalSteps >= 0 && saveSteps >= 0, "eval and save steps must be >= 0 (0: every epoch)");
        check(loggingSteps >= 1, "logging steps must be >= 1, got " + loggingSteps);
        check(saveTotalLimit >= 0, "save total limit must be >= 0 (0: keep all), got " + saveTotalLimit);
        check(threads >= 0, "threads must be >= 0 (0: every core), got " + threads);
        check(dropout == null || (dropout >= 0 && dropout < 1), "dropout must be in [0, 1), got " + dropout);
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** transformers' defaults, writing to {@code outputDir}. */
    public static Builder builder(Path outputDir) {
        return new Builder(outputDir);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Optimizer steps per epoch for {@code batches} micro-batches: the last step of an epoch may take fewer. */
    int stepsPerEpoch(int batches) {
        return Math.max(1, (batches + gradientAccumulation - 1) / gradientAccumulation);
    }

    /** All optimizer steps: {@code maxSteps}, or {@code ceil(epochs * stepsPerEpoch)}. */
    int totalSteps(int batches) {
        return maxSteps > 0 ? maxSteps : (int) Math.ceil(epochs * stepsPerEpoch(batches));
    }

    /** {@code warmupSteps}, or {@code ceil(warmupRatio * totalSteps)} as transformers' get_warmup_steps. */
    int warmup(int totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (int) Math.ceil(warmupRatio * totalSteps);
    }

    /** Mutable only while building; {@link #build()} checks every value. */
    public static final class Builder {
        private Path outputDir;
        private double learningRate = 5e-5;
        private double epochs = 3;
        private int maxSteps = -1;
        private int batchSize = 8;
        private int gradientAccumulation = 1;
        private double warmupRatio;
        private int warmupSteps;
        private double weightDecay;
        private double maxGradNorm = 1.0;
        private double adamEpsilon = 1e-8;
        private long seed = 42;
        private int evalSteps;
        private int saveSteps;
        private int loggingSteps = 500;
        private int saveTotalLimit;
        private boolean keepBest;
        private String metricForBest;
        private int threads;
        private Float dropout;
        private boolean shuffle = true;
        private boolean groupByLength = true;
        private boolean gradientCheckpointing;
        private Path resumeFrom;
        private boolean overwriteOutputDir;

        private Builder(Path outputDir) {
            this.outputDir = outputDir;
        }

        private Builder(TrainingArguments a) {
            outputDir = a.outputDir;
            learningRate = a.learningRate;
            epochs = a.epochs;
            maxSteps = a.maxSteps;
            batchSize = a.batchSize;
            gradientAccumulation = a.gradientAccumulation;
            warmupRatio = a.warmupRatio;
            warmupSteps = a.warmupSteps;
            weightDecay = a.weightDecay;
            maxGradNorm = a.maxGradNorm;
            adamEpsilon = a.adamEpsilon;
            seed = a.seed;
            evalSteps = a.evalSteps;
            saveSteps = a.saveSteps;
            loggingSteps = a.loggingSteps;
            saveTotalLimit = a.saveTotalLimit;
            keepBest = a.keepBest;
            metricForBest = a.metricForBest;
            threads = a.threads;
            dropout = a.dropout;
            shuffle = a.shuffle;
            groupByLength = a.groupByLength;
            gradientCheckpointing = a.gradientCheckpointing;
            resumeFrom = a.resumeFrom;
            overwriteOutputDir = a.overwriteOutputDir;
        }

        public Builder outputDir(Path v) { outputDir = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder epochs(double v) { epochs = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder gradientAccumulation(int v) { gradientAccumulation = v; return this; }
        public Builder warmupRatio(double v) { warmupRatio = v; return this; }
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder evalSteps(int v) { evalSteps = v; return this; }
        public Builder saveSteps(int v) { saveSteps = v; return this; }
        public Builder loggingSteps(int v) { loggingSteps = v; return this; }
        public Builder saveTotalLimit(int v) { saveTotalLimit = v; return this; }
        public Builder keepBest(boolean v) { keepBest = v; return this; }
        public Builder metricForBest(String v) { metricForBest = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder dropout(Float v) { dropout = v; return this; }
        public Builder shuffle(boolean v) { shuffle = v; return this; }
        public Builder groupByLength(boolean v) { groupByLength = v; return this; }
        public Builder gradientCheckpointing(boolean v) { gradientCheckpointing = v; return this; }
        public Builder resumeFrom(Path v) { resumeFrom = v; return this; }
        public Builder overwriteOutputDir(boolean v) { overwriteOutputDir = v; return this; }

        public TrainingArguments build() {
            return new TrainingArguments(outputDir, learningRate, epochs, maxSteps, batchSize, gradientAccumulation,
                    warmupRatio, warmupSteps, weightDecay, maxGradNorm, adamEpsilon, seed, evalSteps, saveSteps,
                    loggingSteps, saveTotalLimit, keepBest, metricForBest, threads, dropout, shuffle, groupByLength,
                    gradientCheckpointing, resumeFrom, overwriteOutputDir);
        }
    }
}
