package dev.distil4j.cli;

import dev.distil4j.train.trainer.DataArguments;
import dev.distil4j.train.trainer.Task;
import dev.distil4j.train.trainer.TrainResult;
import dev.distil4j.train.trainer.Trainer;
import dev.distil4j.train.trainer.TrainingArguments;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code distil4j train}: fine-tunes a model on a task, as transformers' Trainer and example scripts
 * (run_glue, run_ner, run_qa). A thin wrapper of {@link Trainer}: options map one to one onto
 * {@link TrainingArguments} and {@link DataArguments}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tunes a model as transformers' Trainer does, and writes it as a Hugging Face model directory.",
                "Data: TSV/CSV with a header or JSON Lines (text-classification, regression), CoNLL (token-classification), "
                        + "SQuAD v1.1/v2.0 JSON (question-answering). Labels come from the training data, sorted, unless --labels.",
                "Each evaluation on --validation prints a table row on stdout and is appended to DIR/metrics.jsonl; "
                        + "checkpoints go to DIR/checkpoint-N. Ctrl-C or SIGTERM writes a checkpoint first; --resume continues it."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, paramLabel = "TASK",
            description = "text-classification, regression, token-classification or question-answering.")
    String task;

    @Option(names = "--model", required = true, paramLabel = "NAME|DIR",
            description = "The model to start from: a directory (Hugging Face layout), hub id or alias. A missing task head "
                    + "is initialised from --seed.")
    String model;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "The training data.")
    Path trainFile;

    @Option(names = "--validation", paramLabel = "FILE", description = "Validation data, evaluated every --eval-steps.")
    Path validationFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Where the model, checkpoints and metrics go.")
    Path output;

    @Mixin
    DataOptions data;

    @Option(names = "--labels", paramLabel = "L1,L2,...", split = ",",
            description = "The labels in id order (any other label in the data is an error). Default: the training data's, sorted.")
    List<String> labels;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "AdamW's peak learning rate. Default: 5e-5.")
    Double learningRate;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (may be fractional). Default: 3.")
    Double epochs;

    @Option(names = "--max-steps", paramLabel = "N", description = "Optimizer steps in all, overriding --epochs.")
    Integer maxSteps;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per batch, training and evaluation. Default: 8.")
    Integer batchSize;

    @Option(names = "--gradient-accumulation", paramLabel = "N", description = "Batches per optimizer step. Default: 1.")
    Integer gradientAccumulation;

    @Option(names = "--warmup-ratio", paramLabel = "R", description = "Share of the steps with a rising learning rate. Default: 0.")
    Double warmupRatio;

    @Option(names = "--warmup-steps", paramLabel = "N", description = "Steps with a rising learning rate (overrides --warmup-ratio). Default: 0.")
    Integer warmupSteps;

    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW's weight decay (not on biases and LayerNorm weights). Default: 0.")
    Double weightDecay;

    @Option(names = "--max-grad-norm", paramLabel = "N", description = "Clip the gradient norm to N (0: no clipping). Default: 1.0.")
    Double maxGradNorm;

    @Option(names = "--adam-epsilon", paramLabel = "E", description = "AdamW's epsilon. Default: 1e-8.")
    Double adamEpsilon;

    @Option(names = "--seed", paramLabel = "N", description = "Head initialisation, data order and dropout. Default: 42.")
    Long seed;

    @Option(names = "--eval-steps", paramLabel = "N", description = "Evaluate every N steps. Default: at the end of each epoch.")
    Integer evalSteps;

    @Option(names = "--save-steps", paramLabel = "N", description = "Write a checkpoint every N steps. Default: at the end of each epoch.")
    Integer saveSteps;

    @Option(names = "--logging-steps", paramLabel = "N", description = "Log the mean training loss to trainer_state.json every N steps. Default: 500.")
    Integer loggingSteps;

    @Option(names = "--save-total-limit", paramLabel = "N", description = "Keep at most N checkpoints, deleting the oldest but never the best. Default: all.")
    Integer saveTotalLimit;

    @Option(names = "--keep-best", description = "Keep the checkpoint with the best --metric-for-best (evaluated at each save) "
            + "and make it the final model. Needs --validation.")
    boolean keepBest;

    @Option(names = "--metric-for-best", paramLabel = "NAME", description = "The metric that ranks checkpoints. Default: accuracy "
            + "(text-classification), pearson (regression), f1 (token-classification, question-answering).")
    String metricForBest;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads. Default: every core.")
    Integer threads;

    @Option(names = "--dropout", paramLabel = "P", description = "Sets every dropout probability of the model. Default: the config's.")
    Float dropout;

    @Option(names = "--no-shuffle", description = "Keep the file's order instead of a new random order each epoch.")
    boolean noShuffle;

    @Option(names = "--no-group-by-length", description = "Do not batch examples of similar lengths together.")
    boolean noGroupByLength;

    @Option(names = "--gradient-checkpointing", description = "Recompute activations in the backward: less memory, slower.")
    boolean gradientCheckpointing;

    @Option(names = "--resume", arity = "0..1", paramLabel = "CHECKPOINT", fallbackValue = "latest",
            description = "Continue from a checkpoint: the newest in --output, or the one given.")
    String resume;

    @Option(names = "--overwrite-output-dir", description = "Start afresh in an output directory that holds checkpoints (they are deleted).")
    boolean overwriteOutputDir;

    @Option(names = {"-q", "--quiet"}, description = "No log lines or progress bar on stderr (evaluation rows still go to stdout).")
    boolean quiet;

    @Option(names = "--progress", negatable = true, description = "Show the progress bar. Default: on a terminal.")
    Boolean progress;

    @Spec
    CommandSpec spec;

    private final OutputStream out;

    TrainCommand() {
        this(System.in, System.out);
    }

    TrainCommand(InputStream in, OutputStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        Task t = Task.parse(task);
        TrainingArguments args = arguments();
        DataArguments dataArgs = data.toArguments(labels);
        requireFile(trainFile, "--train");
        if (validationFile != null) requireFile(validationFile, "--validation");
        Path modelDir = ModelLocator.resolve(model);
        TrainProgress progressListener = new TrainProgress(err, stdout, "train", quiet, progress);
        try (Trainer trainer = Trainer.create(t, modelDir, trainFile, validationFile, dataArgs, args)) {
            DataOptions.reportSkipped(err, "train", trainer.skipped());
            progressListener.log(String.format(Locale.ROOT, "%s of %s on %d training sequences%s%s", t.cliName(), modelDir,
                    trainer.trainSize(), validationFile == null ? "" : ", " + trainer.validationSize() + " validation sequences",
                    trainer.labels() == null ? "" : ", labels " + trainer.labels()));
            TrainResult r = StopOnSignal.run("distil4j-train-stop", trainer::requestStop, () -> trainer.train(progressListener));
            progressListener.clearBar();
            if (r.interrupted()) return progressListener.stopped(r.globalStep(), r.lastCheckpoint());
            progressListener.log(String.format(Locale.ROOT, "done: %d steps, mean training loss %.4f, %s%s; model in %s",
                    r.globalStep(), r.trainLoss(), progressListener.progress().throughput(),
                    r.bestCheckpoint() == null ? "" : String.format(Locale.ROOT, ", best %s (%.4f)", r.bestCheckpoint().getFileName(), r.bestMetric()),
                    r.outputDir()));
            return 0;
        }
    }

    private TrainingArguments arguments() {
        TrainingArguments.Builder b = TrainingArguments.builder(output);
        if (learningRate != null) b.learningRate(learningRate);
        if (epochs != null) b.epochs(epochs);
        if (maxSteps != null) b.maxSteps(maxSteps);
        if (batchSize != null) b.batchSize(batchSize);
        if (gradientAccumulation != null) b.gradientAccumulation(gradientAccumulation);
        if (warmupRatio != null) b.warmupRatio(warmupRatio);
        if (warmupSteps != null) b.warmupSteps(warmupSteps);
        if (weightDecay != null) b.weightDecay(weightDecay);
        if (maxGradNorm != null) b.maxGradNorm(maxGradNorm);
        if (adamEpsilon != null) b.adamEpsilon(adamEpsilon);
        if (seed != null) b.seed(seed);
        if (evalSteps != null) b.evalSteps(evalSteps);
        if (saveSteps != null) b.saveSteps(saveSteps);
        if (loggingSteps != null) b.loggingSteps(loggingSteps);
        if (saveTotalLimit != null) b.saveTotalLimit(saveTotalLimit);
        if (threads != null) b.threads(threads);
        b.keepBest(keepBest).metricForBest(metricForBest).dropout(dropout).shuffle(!noShuffle).groupByLength(!noGroupByLength)
                .gradientCheckpointing(gradientCheckpointing).overwriteOutputDir(overwriteOutputDir);
        if (resume != null) b.resumeFrom(ResumeOption.checkpoint(resume, output));
        return b.build();
    }

    static void requireFile(Path file, String option) {
        if (!Files.isRegularFile(file)) throw new UserException(option + ": no such file: " + file);
    }
}
