package dev.distil4j.cli;

import dev.distil4j.convert.StudentInit;
import dev.distil4j.train.distill.Distiller;
import dev.distil4j.train.distill.MaskingOptions;
import dev.distil4j.train.trainer.DataArguments;
import dev.distil4j.train.trainer.TaskDistiller;
import dev.distil4j.train.trainer.TrainResult;
import dev.distil4j.train.trainer.TrainingArguments;
import picocli.CommandLine.Command;
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
 * {@code distil4j distil}: general distillation of an MLM teacher into a student on raw text, as the
 * research project's {@code train.py}/{@code distiller.py} (DistilBERT). A thin wrapper of {@link Distiller}.
 */
@Command(name = "distil", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Distils an MLM teacher into a student on raw text (one sequence per line), as DistilBERT was trained.",
                "loss = alpha-ce * KL(teacher || student at temperature T) + alpha-mlm * MLM cross-entropy + alpha-mse * MSE "
                        + "of the logits + alpha-cos * (1 - cosine of the last hidden states).",
                "The student goes to DIR as a Hugging Face ...ForMaskedLM directory with the teacher's tokenizer; checkpoints to "
                        + "DIR/checkpoint-N. Ctrl-C or SIGTERM writes a checkpoint first; --resume continues it."})
final class DistilCommand implements Callable<Integer> {
    @Option(names = "--teacher", required = true, paramLabel = "NAME|DIR", description = "The MLM teacher: a directory, hub id or alias.")
    String teacher;

    @Option(names = "--student", paramLabel = "DIR", description = "The MLM student, with the teacher's vocabulary.")
    Path student;

    @Option(names = "--init-from-teacher", description = "Initialise a DistilBERT student from the teacher's layers (init-student) "
            + "into DIR/student-init; with --task, from the fine-tuned teacher's encoder (the classifier from --seed).")
    boolean initFromTeacher;

    @Option(names = "--init-layers", paramLabel = "L,L,...", defaultValue = "0,2,4,7,9,11",
            description = "With --init-from-teacher: the teacher layer of each student layer (default: ${DEFAULT-VALUE}).")
    String initLayers;

    @Option(names = "--corpus", arity = "1..*", paramLabel = "FILE", description = "Plain text, one sequence per line (general distillation).")
    List<Path> corpus;

    @Option(names = "--task", paramLabel = "TASK", description = "Task-specific distillation from a fine-tuned classifier teacher: "
            + "text-classification (needs --train; uses --temperature, --alpha-ce, --alpha-task and --alpha-pkd, the optimizer flags and "
            + "train's data format).")
    String task;

    @Option(names = "--train", paramLabel = "FILE", description = "With --task: the training data (TSV/CSV with a header or JSON Lines).")
    Path trainFile;

    @Option(names = "--validation", paramLabel = "FILE", description = "With --task: validation data, evaluated each epoch (or --eval-steps).")
    Path validationFile;

    @Option(names = "--alpha-task", paramLabel = "A", description = "With --task: weight of the cross-entropy with the gold labels. Default: 0.")
    Double alphaTask;

    @Option(names = "--alpha-pkd", paramLabel = "B", description = "With --task: weight of patient knowledge distillation's loss "
            + "(Sun et al. 2019, PKD-Skip): the MSE between the unit-length first-token states of student layers 1..n-1 and of every "
            + "(teacher layers / student layers)-th teacher layer. Default: 0.")
    Double alphaPkd;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Where the student, checkpoints and the corpus cache go.")
    Path output;

    @Option(names = "--temperature", paramLabel = "T", description = "Softmax temperature of the KL term. Default: 2.")
    Double temperature;

    @Option(names = "--alpha-ce", paramLabel = "A", description = "Weight of the distillation (KL) term. Default: 5.")
    Double alphaCe;

    @Option(names = "--alpha-mlm", paramLabel = "A", description = "Weight of the MLM cross-entropy. Default: 2.")
    Double alphaMlm;

    @Option(names = "--alpha-mse", paramLabel = "A", description = "Weight of the logits' MSE. Default: 0.")
    Double alphaMse;

    @Option(names = "--alpha-cos", paramLabel = "A", description = "Weight of the hidden states' cosine loss. Default: 1.")
    Double alphaCos;

    @Option(names = "--restrict-ce-to-mask", description = "KL and MSE only at the positions selected for prediction (default: every real token).")
    boolean restrictCeToMask;

    @Option(names = "--mlm-mask-prop", paramLabel = "P", description = "Share of the tokens selected for prediction. Default: 0.15.")
    Double mlmMaskProp;

    @Option(names = "--word-mask", paramLabel = "P", description = "Share of the selected replaced by the mask token. Default: 0.8.")
    Double wordMask;

    @Option(names = "--word-keep", paramLabel = "P", description = "Share of the selected kept. Default: 0.1.")
    Double wordKeep;

    @Option(names = "--word-rand", paramLabel = "P", description = "Share of the selected replaced by a random token. Default: 0.1.")
    Double wordRand;

    @Option(names = "--mlm-smoothing", paramLabel = "S", description = "Selection weight count^-S, favouring rare tokens. Default: 0.7.")
    Double mlmSmoothing;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "AdamW's peak learning rate. Default: 5e-4.")
    Double learningRate;

    @Option(names = "--adam-epsilon", paramLabel = "E", description = "AdamW's epsilon. Default: 1e-6.")
    Double adamEpsilon;

    @Option(names = "--weight-decay", paramLabel = "W", description = "AdamW's weight decay. Default: 0.")
    Double weightDecay;

    @Option(names = "--warmup-prop", paramLabel = "P", description = "Share of the steps with a rising learning rate. Default: 0.05.")
    Double warmupProp;

    @Option(names = "--max-grad-norm", paramLabel = "N", description = "Clip the gradient norm to N (0: no clipping). Default: 5.")
    Double maxGradNorm;

    @Option(names = "--batch-size", paramLabel = "N", description = "Sequences per batch. Default: 5.")
    Integer batchSize;

    @Option(names = "--gradient-accumulation", paramLabel = "N", description = "Batches per optimizer step. Default: 50.")
    Integer gradientAccumulation;

    @Option(names = "--max-length", paramLabel = "N", description = "Longer sequences are cut into chunks. Default: the models' positions, at most 512.")
    Integer maxLength;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the corpus. Default: 3.")
    Integer epochs;

    @Option(names = "--max-steps", paramLabel = "N", description = "Optimizer steps in all, overriding --epochs.")
    Integer maxSteps;

    @Option(names = "--seed", paramLabel = "N", description = "Data order, masks and dropout. Default: 56.")
    Long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads. Default: every core.")
    Integer threads;

    @Option(names = "--save-steps", paramLabel = "N", description = "Write a checkpoint every N steps. Default: at the end of each epoch.")
    Integer saveSteps;

    @Option(names = "--eval-steps", paramLabel = "N", description = "With --task: evaluate on --validation every N steps. Default: each epoch.")
    Integer evalSteps;

    @Option(names = "--save-total-limit", paramLabel = "N", description = "Keep at most N checkpoints, deleting the oldest. Default: all.")
    Integer saveTotalLimit;

    @Option(names = "--logging-steps", paramLabel = "N", description = "Log the mean loss terms to trainer_state.json every N steps. Default: 50.")
    Integer loggingSteps;

    @Option(names = "--resume", arity = "0..1", paramLabel = "CHECKPOINT", fallbackValue = "latest",
            description = "Continue from a checkpoint: the newest in --output, or the one given.")
    String resume;

    @Option(names = {"-q", "--quiet"}, description = "No log lines or progress bar on stderr.")
    boolean quiet;

    @Option(names = "--progress", negatable = true, description = "Show the progress bar. Default: on a terminal.")
    Boolean progress;

    @Spec
    CommandSpec spec;

    DistilCommand() {
        this(System.in, System.out);
    }

    private final OutputStream out;

    DistilCommand(InputStream in, OutputStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if ((student == null) == !initFromTeacher) {
            throw new UserException("give either --student DIR or --init-from-teacher");
        }
        if (task != null) return distilTask(err);
        if (alphaTask != null || alphaPkd != null) throw new UserException("--alpha-task and --alpha-pkd go with --task");
        if (corpus == null || corpus.isEmpty()) throw new UserException("--corpus FILE is needed (or --task with --train)");
        for (Path f : corpus) TrainCommand.requireFile(f, "--corpus");
        Distiller.Options options = options();
        Path teacherDir = ModelLocator.resolve(teacher);
        DistilProgress listener = new DistilProgress(err, quiet, progress);
        Path studentDir = studentDir(teacherDir, listener::log);
        try (Distiller d = Distiller.create(teacherDir, studentDir, corpus, options)) {
            Distiller.CorpusReport c = d.corpus();
            listener.log(String.format(Locale.ROOT, "%d of %d lines kept as %d sequences of up to %d tokens (%d tokens; %d split, "
                            + "%d too short, %d mostly unknown)%s", c.lines() - c.removedShort() - c.removedUnknown(), c.lines(),
                    c.sequences(), d.maxLength(), c.tokens(), c.split(), c.removedShort(), c.removedUnknown(),
                    c.fromCache() ? ", tokenised before" : ""));
            Distiller.Result r = StopOnSignal.run("distil4j-distil-stop", d::requestStop, () -> d.distil(listener));
            listener.clearBar();
            if (r.interrupted()) return listener.stopped(r.globalStep(), r.lastCheckpoint());
            listener.log(String.format(Locale.ROOT, "done: %d steps, mean loss %.4f; student in %s", r.globalStep(), r.meanLoss(), r.outputDir()));
            listener.log(String.format(Locale.ROOT, "distillation: %.0f tokens/s (teacher forward + student step), %d tokens in %.1f s",
                    r.tokensPerSecond(), r.tokens(), r.nanos() / 1e9));
            return 0;
        }
    }

    /**
     * {@code --student DIR}, or with {@code --init-from-teacher} the student initialised from the teacher's
     * layers in {@code DIR/student-init} (once: a later run, or a resumed one, finds it there).
     */
    private Path studentDir(Path teacherDir, java.util.function.Consumer<String> log) {
        if (!initFromTeacher) {
            if (!Files.isDirectory(student)) throw new UserException("--student: no such directory: " + student);
            return student;
        }
        Path dir = output.resolve("student-init");
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            log.accept("using the student initialised before in " + dir);
        } else {
            StudentInit.Result r = StudentInit.fromTeacher(teacherDir, dir, StudentInit.parseLayers(initLayers));
            log.accept("initialised the student from teacher layers " + initLayers + " in " + r.directory());
        }
        return dir;
    }

    /** {@code --task text-classification}: the teacher's cached logits train a classifier student. */
    private int distilTask(PrintWriter err) {
        if (!task.equals("text-classification")) throw new UserException("--task: only text-classification can be distilled, not " + task);
        if (corpus != null) throw new UserException("--task reads --train, not --corpus");
        if (trainFile == null) throw new UserException("--task needs --train FILE");
        TrainCommand.requireFile(trainFile, "--train");
        if (validationFile != null) TrainCommand.requireFile(validationFile, "--validation");
        TrainingArguments.Builder b = TrainingArguments.builder(output);
        if (learningRate != null) b.learningRate(learningRate);
        if (adamEpsilon != null) b.adamEpsilon(adamEpsilon);
        if (weightDecay != null) b.weightDecay(weightDecay);
        if (warmupProp != null) b.warmupRatio(warmupProp);
        if (maxGradNorm != null) b.maxGradNorm(maxGradNorm);
        if (batchSize != null) b.batchSize(batchSize);
        if (gradientAccumulation != null) b.gradientAccumulation(gradientAccumulation);
        if (epochs != null) b.epochs(epochs);
        if (maxSteps != null) b.maxSteps(maxSteps);
        if (seed != null) b.seed(seed);
        if (threads != null) b.threads(threads);
        if (evalSteps != null) b.evalSteps(evalSteps);
        if (saveSteps != null) b.saveSteps(saveSteps);
        if (loggingSteps != null) b.loggingSteps(loggingSteps);
        if (saveTotalLimit != null) b.saveTotalLimit(saveTotalLimit);
        if (resume != null) b.resumeFrom(ResumeOption.checkpoint(resume, output));
        TrainingArguments args = b.build();
        DataArguments data = maxLength == null ? DataArguments.defaults() : DataArguments.defaults().withMaxLength(maxLength);
        Path teacherDir = ModelLocator.resolve(teacher);
        TrainProgress listener = new TrainProgress(err, new PrintStream(out, true, StandardCharsets.UTF_8), "distil", quiet, progress);
        Path studentDir = studentDir(teacherDir, listener::log);
        try (TaskDistiller d = TaskDistiller.create(teacherDir, studentDir, trainFile, validationFile, data, args,
                new TaskDistiller.Weights(temperature != null ? temperature : 2.0, alphaCe != null ? alphaCe : 1.0,
                        alphaTask != null ? alphaTask : 0.0, alphaPkd != null ? alphaPkd : 0.0), null)) {
            DataOptions.reportSkipped(err, "distil", d.skipped());
            listener.log(String.format(Locale.ROOT, "text-classification on %d training sequences%s, labels %s", d.trainSize(),
                    validationFile == null ? "" : ", " + d.validationSize() + " validation sequences", d.labels()));
            TrainResult t = StopOnSignal.run("distil4j-distil-stop", d::requestStop, () -> d.distil(listener));
            listener.clearBar();
            if (t.interrupted()) return listener.stopped(t.globalStep(), t.lastCheckpoint());
            listener.log(String.format(Locale.ROOT, "done: %d steps, mean loss %.4f, %s; student in %s", t.globalStep(),
                    t.trainLoss(), listener.progress().throughput(), t.outputDir()));
            return 0;
        }
    }

    private Distiller.Options options() {
        Distiller.Builder b = Distiller.Options.builder(output);
        if (temperature != null) b.temperature(temperature);
        if (alphaCe != null) b.alphaCe(alphaCe);
        if (alphaMlm != null) b.alphaMlm(alphaMlm);
        if (alphaMse != null) b.alphaMse(alphaMse);
        if (alphaCos != null) b.alphaCos(alphaCos);
        b.restrictCeToMask(restrictCeToMask);
        MaskingOptions d = MaskingOptions.DEFAULT;
        try {
            b.masking(new MaskingOptions(mlmMaskProp != null ? mlmMaskProp : d.mlmMaskProp(), wordMask != null ? wordMask : d.wordMask(),
                    wordKeep != null ? wordKeep : d.wordKeep(), wordRand != null ? wordRand : d.wordRand(),
                    mlmSmoothing != null ? mlmSmoothing : d.mlmSmoothing()));
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage().replace("mlmMaskProp", "--mlm-mask-prop").replace("mlmSmoothing", "--mlm-smoothing")
                    .replace("wordMask + wordKeep + wordRand", "--word-mask + --word-keep + --word-rand")
                    .replace("wordMask, wordKeep and wordRand", "--word-mask, --word-keep and --word-rand"));
        }
        if (learningRate != null) b.learningRate(learningRate);
        if (adamEpsilon != null) b.adamEpsilon(adamEpsilon);
        if (weightDecay != null) b.weightDecay(weightDecay);
        if (warmupProp != null) b.warmupProp(warmupProp);
        if (maxGradNorm != null) b.maxGradNorm(maxGradNorm);
        if (batchSize != null) b.batchSize(batchSize);
        if (gradientAccumulation != null) b.gradientAccumulation(gradientAccumulation);
        if (maxLength != null) b.maxLength(maxLength);
        if (epochs != null) b.epochs(epochs);
        if (maxSteps != null) b.maxSteps(maxSteps);
        if (seed != null) b.seed(seed);
        if (threads != null) b.threads(threads);
        if (saveSteps != null) b.saveSteps(saveSteps);
        if (saveTotalLimit != null) b.saveTotalLimit(saveTotalLimit);
        if (loggingSteps != null) b.loggingSteps(loggingSteps);
        if (resume != null) b.resumeFrom(ResumeOption.checkpoint(resume, output));
        return b.build();
    }
}
