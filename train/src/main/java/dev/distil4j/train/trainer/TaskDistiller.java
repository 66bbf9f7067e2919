package dev.distil4j.train.trainer;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.data.LabelSet;
import dev.distil4j.train.distill.Distiller;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import dev.distil4j.train.nn.TrainableModel;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.SafeTensorsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Task-specific distillation for text classification: a fine-tuned classifier teacher's soft labels train a
 * student (its classifier initialised from the seed as the Trainer does) on the task's training data:
 * <pre>
 *   loss = alphaCe * KL(softmax(t / T) || softmax(s / T)) * T^2 + alphaTask * CE(s, gold label)
 *        + alphaPkd * MSE(normalize(student [CLS] states), normalize(teacher [CLS] states))
 * </pre>
 * The last term is patient knowledge distillation's (Sun et al. 2019, PKD-Skip): the outputs of student layers
 * 1..n-1 at the first token against those of every (teacher layers / student layers)-th teacher layer (BERT-base
 * into 6 layers: teacher layers 2, 4, 6, 8, 10), each scaled to unit length.
 * It is a {@link Trainer} with this loss: the same data pipeline, batch order, evaluation, checkpoints and
 * exact resume. The teacher's logits (and states) are computed once per example, in eval mode, before the first
 * step, and kept in the output directory ({@value #TEACHER_LOGITS}, {@value #TEACHER_STATES}) so that a resumed
 * run does not recompute them. The student is written as a Hugging Face classifier with the teacher's labels and
 * tokenizer.
 */
public final class TaskDistiller implements AutoCloseable {
    static final String TEACHER_LOGITS = "teacher_logits.safetensors";
    static final String TEACHER_STATES = "teacher_states.safetensors";

    /**
     * The loss's weights and temperature.
     *
     * @param alphaPkd weight of the patient (intermediate-layer) loss; 0 leaves it out
     */
    public record Weights(double temperature, double alphaCe, double alphaTask, double alphaPkd) {
        public Weights {
            if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, not " + temperature);
            if (!(alphaCe >= 0 && alphaTask >= 0 && alphaPkd >= 0) || alphaCe + alphaTask + alphaPkd <= 0) {
                throw new IllegalArgumentException("loss weights must be >= 0 and one of them > 0");
            }
        }

        public Weights(double temperature, double alphaCe, double alphaTask) {
            this(temperature, alphaCe, alphaTask, 0);
        }
    }

    private final TaskData train;
    private final double temperature;
    /** PKD-Skip's layers (0-based), matched pairwise; empty without the patient loss. */
    private final int[] studentLayers, teacherLayers;
    private final int dim;
    private final LabelSet labels;
    private final int numLabels;
    private final Path teacherDir;
    private final Compute compute;
    private final TrainingArguments args;
    private final Trainer trainer;
    /** Computed (or read back) at the start of {@link #distil}, where the listener can show the pass. */
    private float[] teacherLogits;
    /** [features, teacherLayers, dim], with the logits; null without the patient loss. */
    private float[] teacherStates;
    private long teacherNanos;
    private volatile boolean stop;

    private TaskDistiller(Path teacherDir, Path studentDir, Path trainFile, Path validationFile, DataArguments data,
                          TrainingArguments args, Weights weights, Compute compute) {
        ModelConfig tc = ModelConfig.read(teacherDir.resolve("config.json"));
        ModelConfig sc = ModelConfig.read(studentDir.resolve("config.json"));
        if (tc.declaredHead() != HeadType.SEQUENCE_CLASSIFICATION || tc.labels() == null || tc.labels().isEmpty()) {
            throw new IllegalArgumentException("the teacher " + teacherDir + " is not a fine-tuned sequence classifier "
                    + "(config.json: " + tc.architectures() + ")");
        }
        Tokenizer tokenizer = Tokenizer.fromDirectory(teacherDir);
        Distiller.checkVocabulary(teacherDir, tc, tokenizer, studentDir, sc);
        this.labels = new LabelSet(tc.labels());
        this.numLabels = labels.size();
        Task task = Task.TEXT_CLASSIFICATION;
        int maxLength = Math.min(Trainer.maxLength(task, data, tokenizer, tc), Trainer.maxLength(task, data, tokenizer, sc));
        this.train = TaskData.encode(TaskData.read(task, trainFile, data, labels), tokenizer, labels, maxLength,
                data.docStride(), data.skipBadRecords(), true);
        TaskData validation = validationFile == null ? null : TaskData.encode(TaskData.read(task, validationFile, data, labels),
                tokenizer, labels, maxLength, data.docStride(), data.skipBadRecords(), false);
        if (train.features.isEmpty()) throw new IllegalArgumentException(trainFile + ": no training examples");

        if (weights.alphaPkd() > 0) {
            if (tc.hiddenSize() != sc.hiddenSize()) {
                throw new IllegalArgumentException("the patient loss compares hidden states: the teacher's are "
                        + tc.hiddenSize() + " wide, the student's " + sc.hiddenSize());
            }
            this.teacherLayers = pkdSkip(tc.numLayers(), sc.numLayers());
            this.studentLayers = new int[teacherLayers.length];
            for (int k = 0; k < studentLayers.length; k++) studentLayers[k] = k;
            if ((long) train.features.size() * teacherLayers.length * tc.hiddenSize() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("the patient loss keeps the teacher's states in memory: "
                        + train.features.size() + " training sequences are too many");
            }
        } else {
            this.studentLayers = this.teacherLayers = new int[0];
        }
        this.dim = tc.hiddenSize();

        Trainer.checkOutput(args); // now, not after the teacher's pass, which takes minutes on real data
        this.teacherDir = teacherDir;
        this.temperature = weights.temperature();
        this.compute = compute;
        this.args = args;
        this.trainer = new Trainer(task, studentDir, train, validation, labels, args, compute, objective(weights), teacherDir);
    }

    private Trainer.Objective objective(Weights w) {
        return new Trainer.Objective() {
            @Override
            public Trainer.Gradient loss(Batch batch, int[] rows, TrainableModel.Output output) {
                float[] t = new float[rows.length * numLabels];
                for (int r = 0; r < rows.length; r++) System.arraycopy(teacherLogits, rows[r] * numLabels, t, r * numLabels, numLabels);
                float[] grad = new float[t.length];
                double value = 0;
                if (w.alphaCe() > 0) {
                    boolean[] all = new boolean[rows.length];
                    Arrays.fill(all, true);
                    Loss kl = Losses.klDivergence(output.logits(), t, rows.length, numLabels, all, w.temperature());
                    value += w.alphaCe() * kl.value();
                    for (int i = 0; i < grad.length; i++) grad[i] += (float) w.alphaCe() * kl.grad()[i];
                }
                if (w.alphaTask() > 0) {
                    Loss ce = batch.loss(output, numLabels);
                    value += w.alphaTask() * ce.value();
                    for (int i = 0; i < grad.length; i++) grad[i] += (float) w.alphaTask() * ce.grad()[i];
                }
                float[][] dStates = null;
                if (w.alphaPkd() > 0) {
                    Loss pkd = patience(rows, output.firstTokenStates());
                    value += w.alphaPkd() * pkd.value();
                    dStates = new float[studentLayers.length][rows.length * dim];
                    for (int l = 0; l < studentLayers.length; l++) {
                        for (int i = 0; i < rows.length * dim; i++) {
                            dStates[l][i] = (float) w.alphaPkd() * pkd.grad()[l * rows.length * dim + i];
                        }
                    }
                }
                return new Trainer.Gradient((float) value, grad, dStates);
            }

            @Override
            public int[] layers() {
                return studentLayers.clone();
            }
        };
    }

    /**
     * PKD-Skip's teacher layers (0-based) for student layers 0..n-2: student layer k (1-based) learns teacher layer
     * k * teacherLayers / studentLayers (BERT-base into 6 layers: 2, 4, 6, 8, 10). The student's last layer is
     * left to the logits' terms, as in the paper.
     */
    static int[] pkdSkip(int teacherLayers, int studentLayers) {
        if (studentLayers < 2 || teacherLayers % studentLayers != 0) {
            throw new IllegalArgumentException("the patient loss (PKD-Skip) needs a student of 2 or more layers whose count divides "
                    + "the teacher's: the teacher has " + teacherLayers + ", the student " + studentLayers);
        }
        int[] t = new int[studentLayers - 1];
        for (int k = 1; k < studentLayers; k++) t[k - 1] = k * (teacherLayers / studentLayers) - 1;
        return t;
    }

    /** PKD's loss over the batch's [layers, rows, dim] student states against the teacher's, as one mean. */
    private Loss patience(int[] rows, float[][] student) {
        int layers = studentLayers.length, n = rows.length;
        float[] s = new float[layers * n * dim], t = new float[s.length];
        for (int l = 0; l < layers; l++) {
            System.arraycopy(student[l], 0, s, l * n * dim, n * dim);
            for (int r = 0; r < n; r++) {
                System.arraycopy(teacherStates, (rows[r] * layers + l) * dim, t, (l * n + r) * dim, dim);
            }
        }
        return Losses.normalizedMse(s, t, layers * n, dim);
    }

    /**
     * @param teacher    a fine-tuned sequence classifier (its labels are the task's)
     * @param student    a model with the teacher's vocabulary (a base or MLM checkpoint: the classifier is
     *                   initialised from {@code args.seed()})
     * @param validation validation data, evaluated as the Trainer does (each epoch, or every evalSteps), or null
     * @param compute    the caller's threads and kernels, or null
     */
    public static TaskDistiller create(Path teacher, Path student, Path trainFile, Path validation, DataArguments data,
                                       TrainingArguments args, Weights weights, Compute compute) {
        return new TaskDistiller(teacher, student, trainFile, validation, data, args, weights, compute);
    }

    private static <T> T withCompute(Compute given, TrainingArguments args, Function<Compute, T> work) {
        if (given != null) return work.apply(given);
        try (Compute c = new Compute(Kernels.best(), args.threads() > 0 ? args.threads() : Runtime.getRuntime().availableProcessors())) {
            return work.apply(c);
        }
    }

    /**
     * The teacher's logits of every training feature, [features, numLabels], and with the patient loss its
     * first-token states, [features, layers, dim], in eval mode: read back from the output directory when
     * resuming, else computed (the listener sees the pass) and kept there. False when a stop request ended the pass.
     */
    private boolean prepareTeacherOutputs(TrainingListener listener) {
        if (teacherLogits != null) return true;
        Path logitsFile = args.outputDir().resolve(TEACHER_LOGITS), statesFile = args.outputDir().resolve(TEACHER_STATES);
        int n = train.features.size(), stateSize = n * teacherLayers.length * dim;
        boolean states = teacherLayers.length > 0;
        if (args.resumeFrom() != null) {
            float[] l = read(logitsFile, "teacher_logits", n * numLabels);
            float[] s = states ? read(statesFile, "teacher_states", stateSize) : null;
            if (l != null && (s != null || !states)) {
                teacherLogits = l;
                teacherStates = s;
                return true;
            }
        }
        long t0 = System.nanoTime();
        float[] statesOut = states ? new float[stateSize] : null;
        float[] computed = withCompute(compute, args, c -> teacherPass(c, listener, statesOut));
        if (computed == null) return false;
        teacherNanos = System.nanoTime() - t0;
        write(logitsFile, "teacher_logits", computed);
        if (states) write(statesFile, "teacher_states", statesOut);
        teacherLogits = computed;
        teacherStates = statesOut;
        return true;
    }

    /** The teacher's pass: its logits, and its states into {@code states} when not null; null when stopped. */
    private float[] teacherPass(Compute compute, TrainingListener listener, float[] states) {
        TrainableModel.Options o = TrainableModel.Options.defaults().withHead(HeadType.SEQUENCE_CLASSIFICATION)
                .withLabels(labels.labels()).withCompute(compute);
        try (TrainableModel teacher = TrainableModel.load(teacherDir, o)) {
            float[][] rows = Scoring.logits(teacher, train, Math.max(1, args.batchSize()), (done, total) -> {
                listener.onPass(new TrainingListener.Pass("teacher", done, total));
                return !stop;
            }, states == null ? new int[0] : teacherLayers, states);
            if (rows == null) return null;
            float[] out = new float[rows.length * numLabels];
            for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, out, i * numLabels, numLabels);
            return out;
        }
    }

    private static void write(Path file, String name, float[] values) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        long[] shape = {values.length};
        SafeTensorsWriter.write(file, List.of(new SafeTensorsWriter.Entry(name, shape,
                () -> new FloatTensor(name, shape, FloatBuffer.wrap(values)))), DType.F32, Map.of());
    }

    /** The values an earlier run of this output directory kept, or null when there are none of this size. */
    private static float[] read(Path file, String name, int size) {
        if (!Files.isRegularFile(file)) return null;
        try (SafeTensors st = SafeTensors.open(file)) {
            if (!st.contains(name)) return null;
            float[] data = st.floats(name).toArray();
            return data.length == size ? data : null;
        }
    }

    public TrainableModel student() {
        return trainer.model();
    }

    public int trainSize() {
        return train.features.size();
    }

    /** The encoded validation sequences, 0 without validation data. */
    public int validationSize() {
        return trainer.validationSize();
    }

    /** The bad records left out of the training and validation files, as {@code file:line: reason}. */
    public List<String> skipped() {
        return trainer.skipped();
    }

    /** The teacher's logits of training example {@code i} (after {@link #distil} has started). */
    public float[] teacherLogits(int i) {
        if (teacherLogits == null) throw new IllegalStateException("the teacher's logits are computed by distil()");
        return Arrays.copyOfRange(teacherLogits, i * numLabels, (i + 1) * numLabels);
    }

    /** The teacher's accuracy and confidence on the training data (after {@link #distil} has started). */
    public TrainingListener.TeacherFit teacherFit() {
        if (teacherLogits == null) throw new IllegalStateException("the teacher's logits are computed by distil()");
        int n = train.features.size(), right = 0;
        double top = 0, topAtT = 0;
        for (int i = 0; i < n; i++) {
            int o = i * numLabels, best = 0;
            for (int j = 1; j < numLabels; j++) if (teacherLogits[o + j] > teacherLogits[o + best]) best = j;
            if (best == train.features.get(i).labels()[0]) right++;
            top += topProbability(teacherLogits, o, numLabels, best, 1.0);
            topAtT += topProbability(teacherLogits, o, numLabels, best, temperature);
        }
        return new TrainingListener.TeacherFit(n, (double) right / n, top / n, temperature, topAtT / n);
    }

    /** softmax(logits[o..o+k) / t)[best], in double. */
    private static double topProbability(float[] logits, int o, int k, int best, double t) {
        double sum = 0;
        for (int j = 0; j < k; j++) sum += Math.exp((logits[o + j] - logits[o + best]) / t);
        return 1 / sum;
    }

    /** The teacher's first-token states of training example {@code i}, [layers, dim] (tests; after {@link #distil} has started). */
    float[] teacherStates(int i) {
        int per = teacherLayers.length * dim;
        return Arrays.copyOfRange(teacherStates, i * per, (i + 1) * per);
    }

    /** Training feature {@code i} (tests). */
    Feature trainFeature(int i) {
        return train.features.get(i);
    }

    public List<String> labels() {
        return labels.labels();
    }

    /** Asks a running {@link #distil} to stop after the current step and write a checkpoint. Safe from any thread. */
    public void requestStop() {
        stop = true;
        trainer.requestStop();
    }

    /** Time spent computing the teacher's logits; 0 before {@link #distil} or when a resumed run read them back. */
    public long teacherNanos() {
        return teacherNanos;
    }

    /**
     * Computes the teacher's logits (or reads them back when resuming), then distils to the end (or until
     * {@link #requestStop()}), resuming from {@code args.resumeFrom()} when set. Stopped during the teacher's
     * pass, it returns an interrupted result without a checkpoint: nothing to resume, the run starts again.
     */
    public TrainResult distil(TrainingListener listener) {
        if (!prepareTeacherOutputs(listener)) {
            return new TrainResult(args.outputDir(), 0, 0, true, Double.NaN, null, null, null, null);
        }
        listener.onTeacherFit(teacherFit());
        return trainer.train(listener);
    }

    @Override
    public void close() {
        trainer.close();
    }
}
