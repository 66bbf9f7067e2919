package dev.distil4j.train.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.Architecture;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.data.LabelSet;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.metrics.Metrics;
import dev.distil4j.train.nn.Dropouts;
import dev.distil4j.train.nn.Param;
import dev.distil4j.kernels.Rng;
import dev.distil4j.train.nn.TrainableModel;
import dev.distil4j.train.optim.AdamW;
import dev.distil4j.train.optim.GradientClipping;
import dev.distil4j.train.optim.LinearSchedule;
import dev.distil4j.train.optim.OptimizerFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Fine-tunes a model on a task as transformers' {@code Trainer} does, step for step:
 * <pre>
 *   per optimizer step: zero the gradients; for each of the gradientAccumulation micro-batches
 *   forward (dropout drawn from a seed of (seed, step, micro-batch)), loss / accumulation, backward;
 *   clip to maxGradNorm; AdamW at the linear schedule's rate of this step
 * </pre>
 * with evaluation on the validation data (metrics.jsonl), checkpoints ({@code checkpoint-N}: the model,
 * {@code optimizer.safetensors}, {@code trainer_state.json}) and the final model written to the output
 * directory as a Hugging Face model directory.
 *
 * <pre>
 *   try (Trainer t = Trainer.create(Task.TEXT_CLASSIFICATION, modelDir, train, validation,
 *           DataArguments.defaults(), TrainingArguments.builder(outputDir).build())) {
 *       TrainResult r = t.train(new TrainingListener() {});
 *   }
 * </pre>
 * Everything random (head initialisation, data order, dropout) derives from the seed and the step, so a
 * run resumed from a checkpoint continues exactly as if it had never stopped.
 */
public final class Trainer implements AutoCloseable {
    private static final long DROPOUT_STREAM = 0x64726F70L;
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d+)");

    private final Task task;
    private final Path modelDir;
    private final TaskData train;
    private final TaskData validation;
    private final LabelSet labels;
    private final TrainingArguments args;
    private final Compute compute;
    private final boolean ownsCompute;
    private final TrainableModel model;
    private final ObjectNode config;
    private final String metric;
    private final Objective objective;
    private final Path filesFrom;
    private final AtomicBoolean stop = new AtomicBoolean();

    /**
     * The loss of one micro-batch: the task's own ({@link Batch#loss}), or one that also reads a teacher
     * (task-specific distillation). The gradient it returns is with respect to the logits.
     */
    interface Objective {
        /** @param rows the training features the batch holds, in batch order */
        Gradient loss(Batch batch, int[] rows, TrainableModel.Output output);

        /** The encoder layers whose first-token states the loss reads ({@link TrainableModel.Output#firstTokenStates()}). */
        default int[] layers() {
            return new int[0];
        }
    }

    /**
     * A micro-batch's loss and its gradient with respect to the logits and, for each of the objective's
     * {@link Objective#layers()}, to those first-token states (null when it reads none).
     */
    record Gradient(float value, float[] dLogits, float[][] dFirstTokens) {
        Gradient(Loss logits) {
            this(logits.value(), logits.grad(), null);
        }
    }

    Trainer(Task task, Path modelDir, TaskData train, TaskData validation, LabelSet labels, TrainingArguments args,
            Compute compute) {
        this(task, modelDir, train, validation, labels, args, compute, null, modelDir);
    }

    /**
     * @param objective the loss, or null for the task's
     * @param filesFrom the directory whose tokenizer files go with every saved model
     */
    Trainer(Task task, Path modelDir, TaskData train, TaskData validation, LabelSet labels, TrainingArguments args,
            Compute compute, Objective objective, Path filesFrom) {
        this.task = task;
        this.modelDir = modelDir;
        this.filesFrom = filesFrom;
        this.train = train;
        this.validation = validation;
        this.labels = labels;
        this.args = args;
        this.metric = args.metricForBest() != null ? args.metricForBest() : task.defaultMetric();
        if (!task.metricNames().contains(metric)) {
            throw new IllegalArgumentException("no metric '" + metric + "' for " + task.cliName() + " (its metrics: "
                    + String.join(", ", task.metricNames()) + ")");
        }
        if (args.keepBest() && validation == null) {
            throw new IllegalArgumentException("keeping the best checkpoint needs validation data to rank them");
        }
        this.ownsCompute = compute == null;
        this.compute = compute != null ? compute
                : new Compute(Kernels.best(), args.threads() > 0 ? args.threads() : Runtime.getRuntime().availableProcessors());
        try {
            List<String> modelLabels = task == Task.REGRESSION ? List.of("LABEL_0") : labels == null ? null : labels.labels();
            this.model = TrainableModel.load(modelDir, TrainableModel.Options.defaults().withHead(task.head())
                    .withLabels(modelLabels).withDropouts(args.dropout() == null ? null : Dropouts.all(args.dropout()))
                    .withCompute(compute).withInitSeed(args.seed()).withGradientCheckpointing(args.gradientCheckpointing()));
            this.config = ModelDirectory.config(modelDir, task, model.config().modelType(), labels);
            int numLabels = model.config().numLabels();
            this.objective = objective != null ? objective : (batch, rows, output) -> new Gradient(batch.loss(output, numLabels));
        } catch (RuntimeException e) {
            if (ownsCompute) this.compute.close();
            throw e;
        }
    }

    /**
     * Reads and encodes the data and loads the model with the data's labels (or those of {@code data}, or,
     * when resuming, the checkpoint's).
     *
     * @param modelDir   a Hugging Face model directory (a base, MLM or fine-tuned checkpoint; a missing head
     *                   is initialised from the seed as transformers does)
     * @param validation the validation file, or null
     */
    public static Trainer create(Task task, Path modelDir, Path trainFile, Path validation, DataArguments data,
                                 TrainingArguments args) {
        return create(task, modelDir, trainFile, validation, data, args, null);
    }

    /**
     * {@link #create(Task, Path, Path, Path, DataArguments, TrainingArguments)} on the caller's threads and
     * kernels ({@code compute}, which the caller closes; null: {@code args.threads()} threads of the best
     * kernels, owned by the trainer). Either kernel set gives the same bits in every process, so a resumed run
     * continues exactly.
     */
    public static Trainer create(Task task, Path modelDir, Path trainFile, Path validation, DataArguments data,
                                 TrainingArguments args, Compute compute) {
        Tokenizer tokenizer = Tokenizer.fromDirectory(modelDir);
        ModelConfig modelConfig = ModelConfig.read(modelDir.resolve("config.json"));
        List<String> given = data.labels();
        if (given == null && args.resumeFrom() != null && task != Task.REGRESSION && task != Task.QUESTION_ANSWERING) {
            given = ModelConfig.read(args.resumeFrom().resolve("config.json")).labels();
        }
        TaskData.Records trainRecords = TaskData.read(task, trainFile, data, given == null ? null : new LabelSet(given));
        LabelSet labels = trainRecords.labels(given);
        int wanted = task == Task.REGRESSION ? 1 : labels == null ? -1 : labels.size();
        if (wanted > 0 && modelConfig.declaredHead() == task.head() && modelConfig.numLabels() != wanted) {
            // transformers refuses the mismatched classifier too (unless told to ignore mismatched sizes)
            throw new IllegalArgumentException(modelDir + " is a " + modelConfig.architectures().get(0) + " for "
                    + modelConfig.numLabels() + " labels " + modelConfig.labels() + ", the data has " + wanted
                    + (labels == null ? "" : " " + labels.labels()) + ": fine-tune its base model instead");
        }
        TaskData.Records validationRecords = validation == null ? null : TaskData.read(task, validation, data, labels);
        int maxLength = maxLength(task, data, tokenizer, modelConfig);
        TaskData trainData = TaskData.encode(trainRecords, tokenizer, labels, maxLength, data.docStride(),
                data.skipBadRecords(), true);
        TaskData validationData = validationRecords == null ? null : TaskData.encode(validationRecords, tokenizer, labels,
                maxLength, data.docStride(), data.skipBadRecords(), false);
        return new Trainer(task, modelDir, trainData, validationData, labels, args, compute);
    }

    /** The sequence length: the task's default unless given, never above the model's positions. */
    static int maxLength(Task task, DataArguments data, Tokenizer tokenizer, ModelConfig config) {
        int positions = config.maxPositionEmbeddings()
                - (config.architecture() == Architecture.ROBERTA ? config.padTokenId() + 1 : 0);
        int wanted = data.maxLength() > 0 ? data.maxLength() : switch (task) {
            case TEXT_CLASSIFICATION, REGRESSION -> 128;
            case TOKEN_CLASSIFICATION -> tokenizer.modelMaxLength();
            case QUESTION_ANSWERING -> 384;
        };
        return Math.max(1, Math.min(wanted, positions));
    }

    /** BERT reads token type ids; DistilBERT has none and RoBERTa only one. */
    static boolean takesTokenTypes(ModelConfig c) {
        return c.architecture() != Architecture.DISTILBERT && c.typeVocabSize() > 1;
    }

    /** Refuses a fresh run into an output directory that holds checkpoints, unless it may be overwritten. */
    static void checkOutput(TrainingArguments args) {
        if (args.resumeFrom() != null || args.overwriteOutputDir()) return;
        List<Path> old = checkpoints(args.outputDir());
        if (old.isEmpty()) return;
        throw new IllegalArgumentException(args.outputDir() + " already holds " + old.get(old.size() - 1).getFileName()
                + (old.size() > 1 ? " and " + (old.size() - 1) + " older checkpoints" : "")
                + ": continue it with --resume, or start afresh with --overwrite-output-dir");
    }

    /** The newest {@code checkpoint-N} of an output directory, or null when it has none. */
    public static Path latestCheckpoint(Path outputDir) {
        return checkpoints(outputDir).stream().reduce((a, b) -> b).orElse(null);
    }

    /**
     * saveTotalLimit: deletes the oldest checkpoints of {@code outputDir} beyond {@code limit} (0: keeps all),
     * never {@code newest} nor {@code best} (null: none), as transformers does.
     */
    public static void deleteOldCheckpoints(Path outputDir, int limit, Path newest, Path best) {
        if (limit == 0) return;
        List<Path> all = new ArrayList<>(checkpoints(outputDir));
        boolean keepsBest = best != null && all.remove(best);
        int keep = keepsBest ? Math.max(1, limit - 1) : limit;
        try {
            for (int i = 0; i < all.size() - keep; i++) {
                if (!all.get(i).equals(newest)) ModelDirectory.deleteTree(all.get(i));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete an old checkpoint in " + outputDir + ": " + e.getMessage(), e);
        }
    }

    /** The {@code checkpoint-N} directories that hold a trainer state, oldest first. */
    static List<Path> checkpoints(Path outputDir) {
        if (!Files.isDirectory(outputDir)) return List.of();
        try (Stream<Path> s = Files.list(outputDir)) {
            return s.filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve("trainer_state.json")))
                    .sorted(Comparator.comparingLong(Trainer::stepOf)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + outputDir + ": " + e.getMessage(), e);
        }
    }

    private static long stepOf(Path checkpoint) {
        Matcher m = CHECKPOINT.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    public TrainableModel model() {
        return model;
    }

    public Task task() {
        return task;
    }

    /** The labels in id order (classification tasks), else null. */
    public List<String> labels() {
        return labels == null ? null : labels.labels();
    }

    /** Encoded training sequences (QA: windows). */
    public int trainSize() {
        return train.features.size();
    }

    /** Encoded validation sequences, 0 without validation data. */
    public int validationSize() {
        return validation == null ? 0 : validation.features.size();
    }

    /** The bad records left out of the training and validation files, as {@code file:line: reason}. */
    public List<String> skipped() {
        List<String> all = new ArrayList<>(train.skipped);
        if (validation != null) all.addAll(validation.skipped);
        return all;
    }

    /**
     * Asks a running {@link #train} to stop after the current optimizer step and write a checkpoint (what
     * Ctrl-C does on the command line). Safe from any thread.
     */
    public void requestStop() {
        stop.set(true);
    }

    /** The metrics of the current model on the validation data. */
    public Map<String, Double> evaluate() {
        if (validation == null) throw new IllegalStateException("no validation data");
        return Scoring.evaluate(model, validation, labels, args.batchSize());
    }

    /** Trains to the end (or until {@link #requestStop()}), resuming from {@code args.resumeFrom()} when set. */
    public TrainResult train(TrainingListener listener) {
        return new Run(listener).run();
    }

    /** The mutable state of one {@link #train} call. */
    private final class Run {
        final TrainingListener listener;
        final Path out = args.outputDir();
        final BatchOrder order = new BatchOrder(train.lengths(), args.batchSize(), args.gradientAccumulation(),
                args.shuffle(), args.groupByLength(), args.seed());
        final int batchesPerEpoch = order.batchesPerEpoch();
        final int maxSteps = args.totalSteps(batchesPerEpoch);
        final int warmup = args.warmup(maxSteps);
        final LinearSchedule schedule = new LinearSchedule(args.learningRate(), warmup, maxSteps);
        final AdamW adam = new AdamW(model.parameters(),
                AdamW.Config.defaults().withWeightDecay(args.weightDecay()).withEps(args.adamEpsilon()));
        final boolean types = takesTokenTypes(model.config());
        final boolean lowerIsBetter = metric.equals("mse") || metric.contains("loss");

        int globalStep, epoch, batchesDone, lossSteps, logSteps, runSteps;
        double epochFloat, lossSum, logSum, runLoss;
        Double best;
        String bestCheckpoint;
        List<ObjectNode> history = new ArrayList<>();
        int lastEval = -1, lastSave = -1;
        Map<String, Double> lastMetrics;
        Path lastCheckpoint;

        Run(TrainingListener listener) {
            this.listener = listener;
        }

        TrainResult run() {
            if (args.resumeFrom() != null) resume(args.resumeFrom()); else prepareOutput();
            listener.onTrainBegin(new TrainingListener.Plan(train.features.size(), validationSize(), batchesPerEpoch,
                    args.stepsPerEpoch(batchesPerEpoch), maxSteps, globalStep, warmup));
            boolean stopped = false;
            while (globalStep < maxSteps && !stopped) {
                List<int[]> batches = order.epoch(epoch);
                while (batchesDone < batches.size() && globalStep < maxSteps) {
                    step(batches);
                    boolean epochEnd = batchesDone == batches.size() || globalStep == maxSteps;
                    if (validation != null && (args.evalSteps() > 0 ? globalStep % args.evalSteps() == 0 : epochEnd)) {
                        evaluate();
                    }
                    if (args.saveSteps() > 0 ? globalStep % args.saveSteps() == 0 : epochEnd) save();
                    if (stop.get()) {
                        if (lastSave != globalStep) save();
                        stopped = true;
                        break;
                    }
                }
                if (batchesDone == batches.size()) {
                    epoch++;
                    batchesDone = 0;
                }
            }
            if (!stopped) finish();
            return new TrainResult(out, globalStep, epochFloat, stopped, runSteps == 0 ? Double.NaN : runLoss / runSteps,
                    lastCheckpoint, lastMetrics, bestCheckpoint == null ? null : out.resolve(bestCheckpoint), best);
        }

        /** One optimizer step over the next gradientAccumulation micro-batches (fewer at the end of an epoch). */
        void step(List<int[]> batches) {
            long t0 = System.nanoTime();
            int accumulation = args.gradientAccumulation();
            int n = Math.min(accumulation, batches.size() - batchesDone);
            model.zeroGrad();
            double loss = 0;
            long tokens = 0;
            int[] taps = objective.layers();
            for (int m = 0; m < n; m++) {
                int[] rows = batches.get(batchesDone + m);
                Batch b = Batch.collate(task, train.features, rows, model.config().padTokenId(), types);
                TrainableModel.Output o = model.forward(b.input(), TrainableModel.Mode.train(stepSeed(args.seed(), globalStep, m)), taps);
                Gradient l = objective.loss(b, rows, o);
                // as the Trainer's loss / gradient_accumulation_steps: each micro-batch's gradient scaled alike
                if (accumulation > 1) {
                    divide(l.dLogits(), accumulation);
                    if (l.dFirstTokens() != null) for (float[] g : l.dFirstTokens()) divide(g, accumulation);
                }
                model.backward(l.dLogits(), null, l.dFirstTokens() == null ? new int[0] : taps, l.dFirstTokens());
                loss += (double) l.value() / accumulation;
                tokens += b.tokens();
            }
            batchesDone += n;
            double norm = args.maxGradNorm() > 0 ? GradientClipping.clip(model.parameters(), args.maxGradNorm(), compute) : Double.NaN;
            double lr = schedule.lr(globalStep);
            adam.step(lr, compute);
            globalStep++;
            epochFloat = epoch + (double) batchesDone / batchesPerEpoch;
            lossSum += loss;
            lossSteps++;
            logSum += loss;
            logSteps++;
            runLoss += loss;
            runSteps++;
            if (globalStep % args.loggingSteps() == 0) {
                ObjectNode h = ModelDirectory.JSON.createObjectNode();
                h.put("step", globalStep).put("epoch", epochFloat).put("loss", logSum / logSteps).put("learning_rate", lr);
                history.add(h);
                logSum = 0;
                logSteps = 0;
            }
            listener.onStep(new TrainingListener.Step(globalStep, maxSteps, epochFloat, loss, lr, norm, tokens,
                    System.nanoTime() - t0));
        }

        void evaluate() {
            Map<String, Double> m = Scoring.evaluate(model, validation, labels, args.batchSize(), (done, total) -> {
                listener.onPass(new TrainingListener.Pass("evaluation", done, total));
                return true; // an evaluation is short: a stop request waits for it
            });
            Double trainLoss = lossSteps == 0 ? null : lossSum / lossSteps;
            lossSum = 0;
            lossSteps = 0;
            ObjectNode line = ModelDirectory.JSON.createObjectNode().put("step", globalStep).put("epoch", epochFloat);
            if (trainLoss != null) line.put("train_loss", trainLoss);
            ObjectNode h = ModelDirectory.JSON.createObjectNode().put("step", globalStep).put("epoch", epochFloat);
            try {
                // Metrics.toJson's forms: counts as integers, NaN as null
                ObjectNode metrics = (ObjectNode) ModelDirectory.JSON.readTree(Metrics.toJson(m));
                line.setAll(metrics);
                metrics.fields().forEachRemaining(e -> h.set("eval_" + e.getKey(), e.getValue()));
                Files.createDirectories(out);
                Files.writeString(out.resolve("metrics.jsonl"), line + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out.resolve("metrics.jsonl") + ": " + e.getMessage(), e);
            }
            history.add(h);
            lastEval = globalStep;
            lastMetrics = m;
            listener.onEvaluate(new TrainingListener.Evaluation(globalStep, epochFloat, trainLoss, m));
        }

        /** Writes checkpoint-N atomically; with keepBest ranks it by an evaluation at this step. */
        void save() {
            if (args.keepBest() && lastEval != globalStep) evaluate();
            String name = "checkpoint-" + globalStep;
            Double value = lastEval == globalStep && lastMetrics != null ? lastMetrics.get(metric) : null;
            if (value != null && !value.isNaN() && (best == null || (lowerIsBetter ? value < best : value > best))) {
                best = value;
                bestCheckpoint = name;
            }
            Path dir = out.resolve(name);
            TrainerState state = state();
            ModelDirectory.writeAtomically(dir, tmp -> {
                ModelDirectory.writeModel(tmp, config, model, filesFrom);
                OptimizerFiles.write(tmp.resolve("optimizer.safetensors"), adam);
                state.write(tmp.resolve("trainer_state.json"));
            });
            lastSave = globalStep;
            lastCheckpoint = dir;
            rotate();
            listener.onSave(dir);
        }

        TrainerState state() {
            return new TrainerState(globalStep, maxSteps, epoch, batchesDone, epochFloat, train.features.size(),
                    args.batchSize(), args.gradientAccumulation(), args.seed(), args.shuffle(), args.groupByLength(),
                    args.learningRate(), warmup, metric, best, bestCheckpoint, lossSum, lossSteps, logSum, logSteps, history);
        }

        void rotate() {
            deleteOldCheckpoints(out, args.saveTotalLimit(), lastCheckpoint, bestCheckpoint == null ? null : out.resolve(bestCheckpoint));
        }

        /** The final model (the best checkpoint's with keepBest) and state, into the output directory. */
        void finish() {
            if (args.keepBest() && bestCheckpoint != null) ModelDirectory.loadWeights(out.resolve(bestCheckpoint), model);
            TrainerState state = state();
            ModelDirectory.replaceFiles(out, tmp -> {
                ModelDirectory.writeModel(tmp, config, model, filesFrom);
                state.write(tmp.resolve("trainer_state.json"));
            });
        }

        /** A fresh run: an output directory with checkpoints is refused unless it may be overwritten. */
        void prepareOutput() {
            checkOutput(args);
            List<Path> old = checkpoints(out);
            if (old.isEmpty()) return;
            try {
                for (Path p : old) ModelDirectory.deleteTree(p);
                Files.deleteIfExists(out.resolve("metrics.jsonl"));
                Files.deleteIfExists(out.resolve("trainer_state.json"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clear " + out + ": " + e.getMessage(), e);
            }
        }

        /** Restores the model, the optimizer and the position in the data from a checkpoint. */
        void resume(Path checkpoint) {
            TrainerState s = TrainerState.read(checkpoint.resolve("trainer_state.json"));
            List<String> differences = new ArrayList<>();
            differ(differences, "training sequences", s.trainFeatures(), train.features.size());
            differ(differences, "batch size", s.batchSize(), args.batchSize());
            differ(differences, "gradient accumulation", s.gradientAccumulation(), args.gradientAccumulation());
            differ(differences, "seed", s.seed(), args.seed());
            differ(differences, "shuffle", s.shuffle(), args.shuffle());
            differ(differences, "group by length", s.groupByLength(), args.groupByLength());
            differ(differences, "total steps", s.maxSteps(), maxSteps);
            differ(differences, "learning rate", s.learningRate(), args.learningRate());
            differ(differences, "warmup steps", s.warmupSteps(), warmup);
            if (!differences.isEmpty()) {
                throw new IllegalArgumentException("cannot resume from " + checkpoint + ": it ran with " + String.join(", ", differences)
                        + " (resume with the same data and settings)");
            }
            ModelDirectory.loadWeights(checkpoint, model);
            OptimizerFiles.read(checkpoint.resolve("optimizer.safetensors"), adam);
            if (adam.steps() != s.globalStep()) {
                throw new IllegalArgumentException(checkpoint + ": the optimizer state is at step " + adam.steps()
                        + ", the trainer state at " + s.globalStep());
            }
            globalStep = s.globalStep();
            epoch = s.epoch();
            batchesDone = s.batchesDone();
            epochFloat = s.epochFloat();
            best = s.bestMetric();
            bestCheckpoint = s.bestCheckpoint();
            lossSum = s.lossSum();
            lossSteps = s.lossSteps();
            logSum = s.logSum();
            logSteps = s.logSteps();
            history = new ArrayList<>(s.logHistory());
            lastEval = lastSave = globalStep;
            lastCheckpoint = checkpoint;
        }

        private static void differ(List<String> out, String what, Object saved, Object now) {
            if (!saved.equals(now)) out.add(what + " " + saved + ", now " + now);
        }
    }

    private static void divide(float[] g, int k) {
        for (int i = 0; i < g.length; i++) g[i] /= k;
    }

    /** The dropout seed of micro-batch {@code micro} of step {@code step}: a resumed run draws the same masks. */
    static long stepSeed(long seed, int step, int micro) {
        return Rng.key(Rng.key(Rng.key(seed, DROPOUT_STREAM), step), micro);
    }

    /** Every parameter's values, copied (tests compare runs with it). */
    List<float[]> snapshot() {
        return model.parameters().stream().map(Param::data).map(float[]::clone).toList();
    }

    @Override
    public void close() {
        model.close();
        if (ownsCompute) compute.close();
    }
}
