package dev.distil4j.train.trainer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.kernels.Rng;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.data.LabelSet;
import dev.distil4j.train.distill.Distiller;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import dev.distil4j.train.nn.Dropouts;
import dev.distil4j.train.nn.TrainableModel;
import dev.distil4j.train.optim.AdamW;
import dev.distil4j.train.optim.GradientClipping;
import dev.distil4j.train.optim.LinearSchedule;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Task-specific distillation for text classification: a fine-tuned classifier teacher's soft labels train a
 * student (its classifier initialised from the seed as the Trainer does) on the task's training data:
 * <pre>
 *   loss = alphaCe * KL(softmax(t / T) || softmax(s / T)) * T^2 + alphaTask * CE(s, gold label)
 * </pre>
 * The data pipeline (readers, encoding, batch order) and the metrics are the {@link Trainer}'s; the
 * optimizer settings come from {@link TrainingArguments}. The teacher's logits are computed once per example,
 * before the first step, and cached. The student is written to the output directory as a Hugging Face
 * classifier with the teacher's labels and tokenizer. No intermediate checkpoints and no resume.
 */
public final class TaskDistiller implements AutoCloseable {
    private static final long DROPOUT_STREAM = 0x7464726FL;

    /** @param metrics the validation metrics of the final student, or null without validation data */
    public record Result(Path outputDir, int globalStep, double meanLoss, Map<String, Double> metrics, long tokens,
                         long nanos, long teacherNanos) {
        public double tokensPerSecond() {
            return nanos == 0 ? Double.NaN : tokens / (nanos / 1e9);
        }
    }

    private final Path teacherDir;
    private final TaskData train;
    private final TaskData validation;
    private final LabelSet labels;
    private final TrainingArguments args;
    private final double temperature, alphaCe, alphaTask;
    private final Compute compute;
    private final boolean ownsCompute;
    private final TrainableModel student;
    private final float[] teacherLogits;
    private final long teacherNanos;
    private final int numLabels;
    private final ObjectNode config;

    private TaskDistiller(Path teacherDir, Path studentDir, Path trainFile, Path validationFile, DataArguments data,
                          TrainingArguments args, double temperature, double alphaCe, double alphaTask, Compute compute) {
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, not " + temperature);
        if (alphaCe < 0 || alphaTask < 0 || alphaCe + alphaTask <= 0) {
            throw new IllegalArgumentException("loss weights must be >= 0 and one of them > 0");
        }
        if (args.resumeFrom() != null) throw new IllegalArgumentException("task-specific distillation cannot resume");
        this.teacherDir = teacherDir;
        this.args = args;
        this.temperature = temperature;
        this.alphaCe = alphaCe;
        this.alphaTask = alphaTask;
        ModelConfig tc = ModelConfig.read(teacherDir.resolve("config.json"));
        ModelConfig sc = ModelConfig.read(studentDir.resolve("config.json"));
        if (tc.declaredHead() != HeadType.SEQUENCE_CLASSIFICATION || tc.labels() == null || tc.labels().isEmpty()) {
            throw new IllegalArgumentException("the teacher " + teacherDir + " is not a fine-tuned sequence classifier "
                    + "(config.json: " + tc.architectures() + ")");
        }
        Tokenizer tokenizer = Tokenizer.fromDirectory(teacherDir);
        Distiller.checkVocabulary(teacherDir, tc, tokenizer, studentDir, sc);
        this.labels = new LabelSet(tc.labels());
        this.config = ModelDirectory.config(studentDir, Task.TEXT_CLASSIFICATION, sc.modelType(), labels);
        this.numLabels = labels.size();
        Task task = Task.TEXT_CLASSIFICATION;
        int maxLength = Math.min(Trainer.maxLength(task, data, tokenizer, tc), Trainer.maxLength(task, data, tokenizer, sc));
        TaskData.Records records = TaskData.read(task, trainFile, data, labels);
        this.train = TaskData.encode(records, tokenizer, labels, maxLength, data.docStride(), data.skipBadRecords(), true);
        this.validation = validationFile == null ? null : TaskData.encode(TaskData.read(task, validationFile, data, labels),
                tokenizer, labels, maxLength, data.docStride(), data.skipBadRecords(), false);
        if (train.features.isEmpty()) throw new IllegalArgumentException(trainFile + ": no training examples");
        this.ownsCompute = compute == null;
        this.compute = compute != null ? compute
                : new Compute(Kernels.best(), args.threads() > 0 ? args.threads() : Runtime.getRuntime().availableProcessors());
        try {
            TrainableModel.Options o = TrainableModel.Options.defaults().withHead(HeadType.SEQUENCE_CLASSIFICATION)
                    .withLabels(labels.labels()).withCompute(this.compute).withInitSeed(args.seed());
            long t0 = System.nanoTime();
            try (TrainableModel teacher = TrainableModel.load(teacherDir, o)) {
                this.teacherLogits = logitsOf(teacher, train);
            }
            this.teacherNanos = System.nanoTime() - t0;
            this.student = TrainableModel.load(studentDir, o.withDropouts(args.dropout() == null ? null : Dropouts.all(args.dropout())));
        } catch (RuntimeException e) {
            if (ownsCompute) this.compute.close();
            throw e;
        }
    }

    /**
     * @param teacher    a fine-tuned sequence classifier (its labels are the task's)
     * @param student    a model with the teacher's vocabulary (a base or MLM checkpoint: the classifier is
     *                   initialised from {@code args.seed()})
     * @param validation validation data for the final metrics, or null
     * @param compute    the caller's threads and kernels, or null
     */
    public static TaskDistiller create(Path teacher, Path student, Path trainFile, Path validation, DataArguments data,
                                       TrainingArguments args, double temperature, double alphaCe, double alphaTask,
                                       Compute compute) {
        return new TaskDistiller(teacher, student, trainFile, validation, data, args, temperature, alphaCe, alphaTask, compute);
    }

    /** The teacher's logits of every feature, [features, numLabels], in eval mode, once. */
    private float[] logitsOf(TrainableModel teacher, TaskData data) {
        int n = data.features.size();
        float[] out = new float[n * numLabels];
        boolean types = Trainer.takesTokenTypes(teacher.config());
        int bs = Math.max(1, args.batchSize());
        for (int from = 0; from < n; from += bs) {
            int[] idx = new int[Math.min(bs, n - from)];
            for (int i = 0; i < idx.length; i++) idx[i] = from + i;
            Batch b = Batch.collate(Task.TEXT_CLASSIFICATION, data.features, idx, teacher.config().padTokenId(), types);
            float[] l = teacher.forward(b.input(), TrainableModel.Mode.eval()).logits();
            System.arraycopy(l, 0, out, from * numLabels, l.length);
        }
        return out;
    }

    public TrainableModel student() {
        return student;
    }

    public int trainSize() {
        return train.features.size();
    }

    /** The cached teacher logits of training example {@code i}. */
    public float[] teacherLogits(int i) {
        return Arrays.copyOfRange(teacherLogits, i * numLabels, (i + 1) * numLabels);
    }

    /** Training feature {@code i} (tests). */
    Feature trainFeature(int i) {
        return train.features.get(i);
    }

    public List<String> labels() {
        return labels.labels();
    }

    /** Distils to the end and writes the student; reports each step to {@code listener}. */
    public Result distil(TrainingListener listener) {
        BatchOrder order = new BatchOrder(train.lengths(), args.batchSize(), args.gradientAccumulation(), args.shuffle(),
                args.groupByLength(), args.seed());
        int batchesPerEpoch = order.batchesPerEpoch();
        int maxSteps = args.totalSteps(batchesPerEpoch);
        int warmup = args.warmup(maxSteps);
        LinearSchedule schedule = new LinearSchedule(args.learningRate(), warmup, maxSteps);
        AdamW adam = new AdamW(student.parameters(),
                AdamW.Config.defaults().withWeightDecay(args.weightDecay()).withEps(args.adamEpsilon()));
        boolean types = Trainer.takesTokenTypes(student.config());
        int accumulation = args.gradientAccumulation();
        listener.onTrainBegin(new TrainingListener.Plan(train.features.size(), validation == null ? 0 : validation.features.size(),
                batchesPerEpoch, args.stepsPerEpoch(batchesPerEpoch), maxSteps, 0, warmup));
        int step = 0, epoch = 0;
        double lossSum = 0;
        long tokens = 0, nanos = 0;
        while (step < maxSteps) {
            List<int[]> batches = order.epoch(epoch);
            int done = 0;
            while (done < batches.size() && step < maxSteps) {
                long t0 = System.nanoTime();
                int n = Math.min(accumulation, batches.size() - done);
                student.zeroGrad();
                double loss = 0;
                long stepTokens = 0;
                for (int m = 0; m < n; m++) {
                    int[] idx = batches.get(done + m);
                    Batch b = Batch.collate(Task.TEXT_CLASSIFICATION, train.features, idx, student.config().padTokenId(), types);
                    TrainableModel.Output o = student.forward(b.input(), TrainableModel.Mode.train(
                            Rng.key(Rng.key(Rng.key(args.seed(), DROPOUT_STREAM), step), m)));
                    float[] t = new float[idx.length * numLabels];
                    for (int r = 0; r < idx.length; r++) System.arraycopy(teacherLogits, idx[r] * numLabels, t, r * numLabels, numLabels);
                    float[] grad = new float[t.length];
                    double value = 0;
                    if (alphaCe > 0) {
                        boolean[] all = new boolean[idx.length];
                        Arrays.fill(all, true);
                        Loss kl = Losses.klDivergence(o.logits(), t, idx.length, numLabels, all, temperature);
                        value += alphaCe * kl.value();
                        for (int i = 0; i < grad.length; i++) grad[i] += (float) alphaCe * kl.grad()[i];
                    }
                    if (alphaTask > 0) {
                        Loss ce = b.loss(o, numLabels);
                        value += alphaTask * ce.value();
                        for (int i = 0; i < grad.length; i++) grad[i] += (float) alphaTask * ce.grad()[i];
                    }
                    if (accumulation > 1) for (int i = 0; i < grad.length; i++) grad[i] /= accumulation;
                    student.backward(grad, null);
                    loss += value / accumulation;
                    stepTokens += b.tokens();
                }
                done += n;
                double norm = args.maxGradNorm() > 0 ? GradientClipping.clip(student.parameters(), args.maxGradNorm(), compute) : Double.NaN;
                double lr = schedule.lr(step);
                adam.step(lr, compute);
                step++;
                long took = System.nanoTime() - t0;
                nanos += took;
                tokens += stepTokens;
                lossSum += loss;
                listener.onStep(new TrainingListener.Step(step, maxSteps, epoch + (double) done / batchesPerEpoch, loss, lr, norm,
                        stepTokens, took));
            }
            if (done == batches.size()) epoch++;
        }
        Map<String, Double> metrics = null;
        if (validation != null) {
            metrics = Scoring.evaluate(student, validation, labels, args.batchSize());
            listener.onEvaluate(new TrainingListener.Evaluation(step, epoch, lossSum / Math.max(1, step), metrics));
        }
        Path out = args.outputDir();
        ModelDirectory.replaceFiles(out, tmp -> ModelDirectory.writeModel(tmp, config, student, teacherDir));
        return new Result(out, step, lossSum / Math.max(1, step), metrics, tokens, nanos, teacherNanos);
    }

    @Override
    public void close() {
        student.close();
        if (ownsCompute) compute.close();
    }
}
