package dev.distil4j.train.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.kernels.Rng;
import dev.distil4j.model.Architecture;
import dev.distil4j.io.JsonInput;
import dev.distil4j.model.ConfigException;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.model.ModelInput;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.nn.TrainableModel;
import dev.distil4j.train.optim.AdamW;
import dev.distil4j.train.optim.GradientClipping;
import dev.distil4j.train.optim.LinearSchedule;
import dev.distil4j.train.optim.OptimizerFiles;
import dev.distil4j.train.trainer.ModelDirectory;
import dev.distil4j.train.trainer.Trainer;
import dev.distil4j.train.trainer.TrainingListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * General distillation on raw text, as the research project's {@code distiller.py} (DistilBERT): a frozen MLM
 * teacher and an MLM student read the same masked batches; per micro-batch the teacher runs forward in eval
 * mode (no activations kept) and the student takes a training step on
 * {@code alpha_ce * KL(T) + alpha_mlm * CE + alpha_mse * MSE + alpha_cos * cosine} ({@link TripleLoss}),
 * divided by the gradient accumulation; per optimizer step the gradient is clipped to {@code maxGradNorm}
 * and AdamW (betas 0.9/0.98 as distiller.py) steps at a linear warmup-then-decay rate.
 *
 * <p>The corpus (plain text, one sequence per line) is tokenised once with the teacher's tokenizer and cached
 * in the output directory ({@link CorpusBinarizer}), counted for the masking weights ({@link TokenCounts}),
 * cleaned ({@link SequenceCleaner}) and batched by length ({@link DistillationBatches}). The student is written
 * as a Hugging Face {@code ...ForMaskedLM} directory with the teacher's tokenizer files; checkpoints
 * ({@code checkpoint-N}: model, {@code optimizer.safetensors}, {@code trainer_state.json}) are written
 * atomically with the trainer's machinery, and a resumed run continues exactly (data, masks and dropout are
 * functions of the seed and the step).
 */
public final class Distiller implements AutoCloseable {
    private static final long DROPOUT_STREAM = 0x64697374L;
    static final String CORPUS_CACHE = "corpus-cache.bin";

    /**
     * The run's settings, with distiller.py / train.py's defaults.
     *
     * @param maxLength     longest sequence (longer ones are cut into chunks); 0: the models' positions, at most 512
     * @param epochs        passes over the corpus, unless {@code maxSteps > 0}
     * @param threads       compute threads, 0: every core
     * @param saveSteps     a checkpoint every N steps, 0: at the end of each epoch
     * @param saveTotalLimit keep at most this many checkpoints, deleting the oldest; 0: all
     * @param loggingSteps  the mean of each loss term goes to trainer_state.json's log history every N steps
     * @param resumeFrom    a checkpoint to continue from, or null
     */
    public record Options(Path outputDir, double temperature, double alphaCe, double alphaMlm, double alphaMse,
                          double alphaCos, boolean restrictCeToMask, MaskingOptions masking, double learningRate,
                          double adamEpsilon, double weightDecay, double warmupProp, double maxGradNorm, int batchSize,
                          int gradientAccumulation, int maxLength, int epochs, int maxSteps, long seed, int threads,
                          int saveSteps, int saveTotalLimit, int loggingSteps, Path resumeFrom) {
        public Options {
            Objects.requireNonNull(outputDir, "outputDir");
            Objects.requireNonNull(masking, "masking");
            new TripleLoss(temperature, alphaCe, alphaMlm, alphaMse, alphaCos, restrictCeToMask); // validates
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) throw new IllegalArgumentException("learning rate must be > 0, not " + learningRate);
            if (!(adamEpsilon > 0)) throw new IllegalArgumentException("adam epsilon must be > 0, not " + adamEpsilon);
            if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, not " + weightDecay);
            if (!(warmupProp >= 0 && warmupProp <= 1)) throw new IllegalArgumentException("warmup proportion must be in [0, 1], not " + warmupProp);
            if (!(maxGradNorm >= 0)) throw new IllegalArgumentException("max grad norm must be >= 0 (0: no clipping), not " + maxGradNorm);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, not " + batchSize);
            if (gradientAccumulation < 1) throw new IllegalArgumentException("gradient accumulation must be >= 1, not " + gradientAccumulation);
            if (maxLength != 0 && maxLength < 13) throw new IllegalArgumentException("max length must be >= 13 (sequences of 11 tokens or fewer are dropped), not " + maxLength);
            if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, not " + epochs);
            if (maxSteps < 0) throw new IllegalArgumentException("max steps must be >= 0, not " + maxSteps);
            if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, not " + threads);
            if (saveSteps < 0) throw new IllegalArgumentException("save steps must be >= 0, not " + saveSteps);
            if (saveTotalLimit < 0) throw new IllegalArgumentException("save total limit must be >= 0 (0: keep all), not " + saveTotalLimit);
            if (loggingSteps < 1) throw new IllegalArgumentException("logging steps must be >= 1, not " + loggingSteps);
        }

        public static Builder builder(Path outputDir) {
            return new Builder(outputDir);
        }

        public TripleLoss loss() {
            return new TripleLoss(temperature, alphaCe, alphaMlm, alphaMse, alphaCos, restrictCeToMask);
        }
    }

    /** Builds {@link Options}; every setting starts at the research project's default. */
    public static final class Builder {
        private final Path outputDir;
        private double temperature = 2, alphaCe = 5, alphaMlm = 2, alphaMse = 0, alphaCos = 1;
        private boolean restrictCeToMask;
        private MaskingOptions masking = MaskingOptions.DEFAULT;
        private double learningRate = 5e-4, adamEpsilon = 1e-6, weightDecay = 0, warmupProp = 0.05, maxGradNorm = 5;
        private int batchSize = 5, gradientAccumulation = 50, maxLength, epochs = 3, maxSteps, threads, saveSteps, saveTotalLimit, loggingSteps = 50;
        private long seed = 56;
        private Path resumeFrom;

        private Builder(Path outputDir) {
            this.outputDir = outputDir;
        }

        public Builder temperature(double v) { temperature = v; return this; }
        public Builder alphaCe(double v) { alphaCe = v; return this; }
        public Builder alphaMlm(double v) { alphaMlm = v; return this; }
        public Builder alphaMse(double v) { alphaMse = v; return this; }
        public Builder alphaCos(double v) { alphaCos = v; return this; }
        public Builder restrictCeToMask(boolean v) { restrictCeToMask = v; return this; }
        public Builder masking(MaskingOptions v) { masking = v; return this; }
        public Builder learningRate(double v) { learningRate = v; return this; }
        public Builder adamEpsilon(double v) { adamEpsilon = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder warmupProp(double v) { warmupProp = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder gradientAccumulation(int v) { gradientAccumulation = v; return this; }
        public Builder maxLength(int v) { maxLength = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder saveSteps(int v) { saveSteps = v; return this; }
        public Builder saveTotalLimit(int v) { saveTotalLimit = v; return this; }
        public Builder loggingSteps(int v) { loggingSteps = v; return this; }
        public Builder resumeFrom(Path v) { resumeFrom = v; return this; }

        public Options build() {
            return new Options(outputDir, temperature, alphaCe, alphaMlm, alphaMse, alphaCos, restrictCeToMask, masking,
                    learningRate, adamEpsilon, weightDecay, warmupProp, maxGradNorm, batchSize, gradientAccumulation,
                    maxLength, epochs, maxSteps, seed, threads, saveSteps, saveTotalLimit, loggingSteps, resumeFrom);
        }
    }

    /** A {@link TrainingListener} that also sees each step's loss terms (called just before {@code onStep}). */
    public interface Listener extends TrainingListener {
        /**
         * @param loss the weighted total, the mean over the step's micro-batches; the terms unweighted, as
         *             distiller.py logs them
         */
        record Losses(int step, double loss, double ce, double mlm, double mse, double cos) {}

        default void onLosses(Losses losses) {}
    }

    /**
     * @param tokens     real tokens distilled in this call (resumed steps not counted)
     * @param nanos      time in teacher forwards and student steps (checkpoints left out)
     */
    public record Result(Path outputDir, int globalStep, boolean interrupted, double meanLoss, Path lastCheckpoint,
                         long tokens, long nanos) {
        /** Distillation throughput: tokens per second of teacher forward + student step. */
        public double tokensPerSecond() {
            return nanos == 0 ? Double.NaN : tokens / (nanos / 1e9);
        }
    }

    /** What the corpus preparation did (for the log). */
    public record CorpusReport(int lines, int sequences, long tokens, int split, int removedShort, int removedUnknown,
                               boolean fromCache) {}

    private final Path teacherDir;
    private final Options options;
    private final Compute compute;
    private final boolean ownsCompute;
    private final TrainableModel teacher;
    private final TrainableModel student;
    private final ObjectNode config;
    private final TokenSequences data;
    private final SpecialTokenIds specials;
    private final TokenMasker masker;
    private final DistillationBatches batches;
    private final String corpusDigest;
    private final CorpusReport report;
    private final int maxLength;
    private final AtomicBoolean stop = new AtomicBoolean();

    private Distiller(Path teacherDir, Path studentDir, List<Path> corpus, Options options, Compute compute) {
        this.teacherDir = teacherDir;
        this.options = options;
        if (corpus.isEmpty()) throw new IllegalArgumentException("no corpus files");
        for (Path f : corpus) {
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException("no such corpus file: " + f);
        }
        ModelConfig tc = readConfig(teacherDir, "teacher");
        ModelConfig sc = readConfig(studentDir, "student");
        Tokenizer tokenizer = Tokenizer.fromDirectory(teacherDir);
        checkVocabulary(teacherDir, tc, tokenizer, studentDir, sc);
        if (options.alphaCos() > 0 && tc.hiddenSize() != sc.hiddenSize()) {
            throw new IllegalArgumentException("the cosine loss needs equal hidden sizes: the teacher's is " + tc.hiddenSize()
                    + ", the student's " + sc.hiddenSize() + " (set --alpha-cos 0)");
        }
        this.maxLength = Math.min(positions(tc), positions(sc)) < 13 ? -1
                : options.maxLength() > 0 ? Math.min(options.maxLength(), Math.min(positions(tc), positions(sc)))
                : Math.min(512, Math.min(positions(tc), positions(sc)));
        if (maxLength < 13) throw new IllegalArgumentException("the models take too few positions for distillation");
        this.specials = SpecialTokenIds.of(tokenizer);
        if (specials.mask() < 0 || specials.pad() < 0) throw new IllegalArgumentException(teacherDir + ": the tokenizer has no mask or pad token");
        try {
            Files.createDirectories(options.outputDir());
            CorpusBinarizer binarizer = new CorpusBinarizer(tokenizer);
            CorpusBinarizer.Loaded loaded = binarizer.load(corpus, options.outputDir().resolve(CORPUS_CACHE));
            this.corpusDigest = CorpusBinarizer.sourceDigest(corpus);
            TokenSequences raw = loaded.sequences();
            if (raw.maxId() >= tc.vocabSize()) {
                throw new IllegalArgumentException("the tokenizer gives id " + raw.maxId() + ", the teacher has " + tc.vocabSize() + " embeddings");
            }
            TokenCounts counts = TokenCounts.count(raw, tc.vocabSize());
            SequenceCleaner.Result cleaned = SequenceCleaner.clean(raw, specials,
                    SequenceCleaner.Options.DEFAULT.withMaxModelInputSize(maxLength));
            this.data = cleaned.sequences();
            if (data.size() == 0) {
                throw new IllegalArgumentException("no sequence of the corpus is left to distil on (" + raw.size()
                        + " lines; lines of 11 tokens or fewer, or of half unknown tokens, are dropped)");
            }
            this.report = new CorpusReport(raw.size(), data.size(), data.totalTokens(), cleaned.splitSequences(),
                    cleaned.removedShort(), cleaned.removedUnknown(), loaded.fromCache());
            this.masker = TokenMasker.fromCounts(counts, specials, options.masking());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the corpus: " + e.getMessage(), e);
        }
        this.batches = new DistillationBatches(data, specials, masker, options.batchSize(), true, maxLength, options.seed());
        this.ownsCompute = compute == null;
        this.compute = compute != null ? compute
                : new Compute(Kernels.best(), options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors());
        TrainableModel t = null;
        try {
            TrainableModel.Options mo = TrainableModel.Options.defaults().withHead(HeadType.MASKED_LM).withCompute(this.compute)
                    .withInitSeed(options.seed());
            t = TrainableModel.load(teacherDir, mo);
            this.teacher = t;
            this.student = TrainableModel.load(studentDir, mo);
            this.config = mlmConfig(studentDir, sc);
        } catch (RuntimeException e) {
            if (t != null) t.close();
            if (ownsCompute) this.compute.close();
            throw e;
        }
    }

    /**
     * Reads and prepares the corpus and loads both models.
     *
     * @param teacher an MLM model directory (its tokenizer tokenises the corpus and goes with the student)
     * @param student an MLM model directory with the teacher's vocabulary (e.g. from {@code StudentInit})
     * @param compute the caller's threads and kernels (closed by the caller), or null for {@code options.threads()}
     *                threads of the best kernels
     */
    public static Distiller create(Path teacher, Path student, List<Path> corpus, Options options, Compute compute) {
        return new Distiller(teacher, student, List.copyOf(corpus), options, compute);
    }

    public static Distiller create(Path teacher, Path student, List<Path> corpus, Options options) {
        return create(teacher, student, corpus, options, null);
    }

    private static ModelConfig readConfig(Path dir, String role) {
        Path f = dir.resolve("config.json");
        if (!Files.isRegularFile(f)) throw new ConfigException("the " + role + " " + dir + " has no config.json (is it a Hugging Face model directory?)");
        return ModelConfig.read(f);
    }

    private static int positions(ModelConfig c) {
        return c.maxPositionEmbeddings() - (c.architecture() == Architecture.ROBERTA ? c.padTokenId() + 1 : 0);
    }

    /** Teacher and student must agree on every token id: the loss compares their distributions id by id. */
    public static void checkVocabulary(Path teacherDir, ModelConfig tc, Tokenizer teacherTokenizer, Path studentDir, ModelConfig sc) {
        if (tc.vocabSize() != sc.vocabSize()) {
            throw new IllegalArgumentException("teacher and student vocabularies differ: the teacher " + teacherDir + " has "
                    + tc.vocabSize() + " tokens, the student " + studentDir + " " + sc.vocabSize());
        }
        boolean studentTokenizer = Files.isRegularFile(studentDir.resolve("tokenizer.json"))
                || Files.isRegularFile(studentDir.resolve("vocab.txt")) || Files.isRegularFile(studentDir.resolve("vocab.json"));
        if (!studentTokenizer) return;
        Map<String, Integer> t = teacherTokenizer.vocab(), s = Tokenizer.fromDirectory(studentDir).vocab();
        if (!t.equals(s)) {
            String first = t.entrySet().stream().filter(e -> !e.getValue().equals(s.get(e.getKey())))
                    .map(e -> "'" + e.getKey() + "' is " + e.getValue() + " in the teacher, " + s.get(e.getKey()) + " in the student")
                    .findFirst().orElse(t.size() + " tokens against " + s.size());
            throw new IllegalArgumentException("teacher and student vocabularies differ (" + first + "): "
                    + "the student must use the teacher's tokenizer");
        }
    }

    /** The student's config.json with {@code architectures} its MLM class, keys sorted. */
    private static ObjectNode mlmConfig(Path studentDir, ModelConfig sc) {
        Path file = studentDir.resolve("config.json");
        JsonNode source = JsonInput.read(file, ConfigException::new);
        Map<String, JsonNode> sorted = new TreeMap<>();
        source.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.put("architectures", ModelDirectory.JSON.createArrayNode().add(ModelDirectory.family(sc.modelType()) + "ForMaskedLM"));
        ObjectNode c = ModelDirectory.JSON.createObjectNode();
        sorted.forEach(c::set);
        return c;
    }

    public TrainableModel student() {
        return student;
    }

    public TrainableModel teacher() {
        return teacher;
    }

    public CorpusReport corpus() {
        return report;
    }

    /** The sequence length the corpus was cut to. */
    public int maxLength() {
        return maxLength;
    }

    /** Asks a running {@link #distil} to stop after the current optimizer step and write a checkpoint. Safe from any thread. */
    public void requestStop() {
        stop.set(true);
    }

    /** Distils to the end (or until {@link #requestStop()}), resuming from {@code options.resumeFrom()} when set. */
    public Result distil(Listener listener) {
        return new Run(listener).run();
    }

    /** The dropout seed of micro-batch {@code micro} of step {@code step}. */
    static long stepSeed(long seed, int step, int micro) {
        return Rng.key(Rng.key(Rng.key(seed, DROPOUT_STREAM), step), micro);
    }

    private final class Run {
        final Listener listener;
        final Path out = options.outputDir();
        final int batchesPerEpoch = batches.batchesPerEpoch();
        final int accumulation = options.gradientAccumulation();
        final int stepsPerEpoch = (batchesPerEpoch + accumulation - 1) / accumulation;
        final int maxSteps = options.maxSteps() > 0 ? options.maxSteps() : stepsPerEpoch * options.epochs();
        final int warmup = (int) Math.ceil(maxSteps * options.warmupProp());
        final LinearSchedule schedule = new LinearSchedule(options.learningRate(), warmup, maxSteps);
        final AdamW adam = new AdamW(student.parameters(), new AdamW.Config(0.9, 0.98, options.adamEpsilon(), options.weightDecay()));
        final TripleLoss loss = options.loss();
        final int vocab = student.config().vocabSize();
        final int dim = student.config().hiddenSize();
        final ObjectNode settings = settings();

        int globalStep, epoch, batchesDone, logSteps, runSteps;
        double epochFloat, runLoss;
        double[] logSums = new double[5];
        List<ObjectNode> history = new ArrayList<>();
        int lastSave = -1;
        Path lastCheckpoint;
        long tokens, nanos;
        List<int[]> plan;
        int planEpoch = -1;
        /** The last micro-batch's logit gradient, reused by the next one of the same shape. */
        float[] dLogitsBuffer;

        Run(Listener listener) {
            this.listener = listener;
        }

        Result run() {
            if (options.resumeFrom() != null) resume(options.resumeFrom()); else prepareOutput();
            listener.onTrainBegin(new TrainingListener.Plan(data.size(), 0, batchesPerEpoch, stepsPerEpoch, maxSteps, globalStep, warmup));
            boolean stopped = false;
            while (globalStep < maxSteps && !stopped) {
                if (planEpoch != epoch) {
                    plan = batches.plan(epoch);
                    planEpoch = epoch;
                }
                while (batchesDone < plan.size() && globalStep < maxSteps) {
                    step();
                    boolean epochEnd = batchesDone == plan.size() || globalStep == maxSteps;
                    if (options.saveSteps() > 0 ? globalStep % options.saveSteps() == 0 : epochEnd) save();
                    if (stop.get()) {
                        if (lastSave != globalStep) save();
                        stopped = true;
                        break;
                    }
                }
                if (batchesDone == plan.size()) {
                    epoch++;
                    batchesDone = 0;
                }
            }
            if (!stopped) finish();
            return new Result(out, globalStep, stopped, runSteps == 0 ? Double.NaN : runLoss / runSteps, lastCheckpoint, tokens, nanos);
        }

        /** One optimizer step: teacher forward + student forward/backward per micro-batch, clip, AdamW. */
        void step() {
            long t0 = System.nanoTime();
            int n = Math.min(accumulation, plan.size() - batchesDone);
            long epochSeed = options.seed() ^ Seeds.mix64(epoch);
            student.zeroGrad();
            double total = 0, ce = 0, mlm = 0, mse = 0, cos = 0;
            long stepTokens = 0;
            for (int m = 0; m < n; m++) {
                int index = batchesDone + m;
                // as DistillationBatches.batch(epoch, index), without recomputing the epoch's plan
                MlmBatch b = masker.mask(PaddedBatch.collate(data, plan.get(index), specials.pad()), epochSeed, index);
                int[][] ids = rows(b.inputIds(), b.batchSize(), b.seqLen());
                int[][] attention = rows(b.attentionMask(), b.batchSize(), b.seqLen());
                ModelInput in = new ModelInput(ids, attention, null);
                TrainableModel.Output t = teacher.forward(in, TrainableModel.Mode.eval());
                TrainableModel.Output s = student.forward(in, TrainableModel.Mode.train(stepSeed(options.seed(), globalStep, m)));
                // gradients divided by the accumulation, as distiller.py divides the loss before the backward
                TripleLoss.Result r = loss.compute(s.logits(), t.logits(), s.lastHiddenState(), t.lastHiddenState(),
                        attention, b.labels(), vocab, dim, accumulation, compute, dLogitsBuffer);
                float[] dLogits = dLogitsBuffer = r.dLogits(), dHidden = r.dHidden();
                boolean anyLogitGrad = options.alphaCe() > 0 || options.alphaMlm() > 0 || options.alphaMse() > 0;
                student.backward(anyLogitGrad ? dLogits : null, dHidden);
                total += (double) r.loss() / accumulation;
                ce += (double) r.lossCe() / accumulation;
                mlm += (double) r.lossMlm() / accumulation;
                mse += (double) r.lossMse() / accumulation;
                cos += (double) r.lossCos() / accumulation;
                for (int a : b.attentionMask()) stepTokens += a;
            }
            batchesDone += n;
            double norm = options.maxGradNorm() > 0 ? GradientClipping.clip(student.parameters(), options.maxGradNorm(), compute) : Double.NaN;
            double lr = schedule.lr(globalStep);
            adam.step(lr, compute);
            globalStep++;
            long took = System.nanoTime() - t0;
            tokens += stepTokens;
            nanos += took;
            epochFloat = epoch + (double) batchesDone / batchesPerEpoch;
            runLoss += total;
            runSteps++;
            double[] terms = {total, ce, mlm, mse, cos};
            for (int i = 0; i < terms.length; i++) logSums[i] += terms[i];
            logSteps++;
            if (globalStep % options.loggingSteps() == 0 || globalStep == maxSteps) {
                ObjectNode h = ModelDirectory.JSON.createObjectNode();
                h.put("step", globalStep).put("epoch", epochFloat).put("loss", logSums[0] / logSteps)
                        .put("loss_ce", logSums[1] / logSteps).put("loss_mlm", logSums[2] / logSteps)
                        .put("loss_mse", logSums[3] / logSteps).put("loss_cos", logSums[4] / logSteps).put("learning_rate", lr);
                history.add(h);
                logSums = new double[5];
                logSteps = 0;
            }
            listener.onLosses(new Listener.Losses(globalStep, total, ce, mlm, mse, cos));
            listener.onStep(new TrainingListener.Step(globalStep, maxSteps, epochFloat, total, lr, norm, stepTokens, took));
        }

        void save() {
            Path dir = out.resolve("checkpoint-" + globalStep);
            ObjectNode state = state();
            ModelDirectory.writeAtomically(dir, tmp -> {
                ModelDirectory.writeModel(tmp, config, student, teacherDir);
                OptimizerFiles.write(tmp.resolve("optimizer.safetensors"), adam);
                ModelDirectory.writeJson(tmp.resolve("trainer_state.json"), state);
            });
            lastSave = globalStep;
            lastCheckpoint = dir;
            Trainer.deleteOldCheckpoints(out, options.saveTotalLimit(), dir, null);
            listener.onSave(dir);
        }

        void finish() {
            ObjectNode state = state();
            ModelDirectory.replaceFiles(out, tmp -> {
                ModelDirectory.writeModel(tmp, config, student, teacherDir);
                ModelDirectory.writeJson(tmp.resolve("trainer_state.json"), state);
            });
        }

        /** What the data order, the masks and the schedule depend on: a resume must match it. */
        ObjectNode settings() {
            ObjectNode s = ModelDirectory.JSON.createObjectNode();
            MaskingOptions mo = options.masking();
            s.put("corpus_sha256", corpusDigest).put("sequences", data.size()).put("max_length", maxLength)
                    .put("train_batch_size", options.batchSize()).put("gradient_accumulation_steps", accumulation)
                    .put("seed", options.seed()).put("max_steps", maxSteps).put("learning_rate", options.learningRate())
                    .put("warmup_steps", warmup).put("adam_epsilon", options.adamEpsilon()).put("weight_decay", options.weightDecay())
                    .put("max_grad_norm", options.maxGradNorm()).put("temperature", options.temperature())
                    .put("alpha_ce", options.alphaCe()).put("alpha_mlm", options.alphaMlm()).put("alpha_mse", options.alphaMse())
                    .put("alpha_cos", options.alphaCos()).put("restrict_ce_to_mask", options.restrictCeToMask())
                    .put("mlm_mask_prop", mo.mlmMaskProp()).put("word_mask", mo.wordMask()).put("word_keep", mo.wordKeep())
                    .put("word_rand", mo.wordRand()).put("mlm_smoothing", mo.mlmSmoothing())
                    .put("logging_steps", options.loggingSteps());
            return s;
        }

        ObjectNode state() {
            ObjectNode o = ModelDirectory.JSON.createObjectNode();
            o.put("global_step", globalStep).put("max_steps", maxSteps).put("epoch", epochFloat).put("epoch_index", epoch)
                    .put("batches_done_in_epoch", batchesDone);
            o.set("distillation", settings.deepCopy());
            ArrayNode sums = o.putArray("loss_sums_since_log");
            for (double d : logSums) sums.add(d);
            o.put("steps_since_log", logSteps);
            ArrayNode h = o.putArray("log_history");
            history.forEach(h::add);
            return o;
        }

        void prepareOutput() {
            Path old = Trainer.latestCheckpoint(out);
            if (old != null) {
                throw new IllegalArgumentException(out + " already holds " + old.getFileName()
                        + ": continue it with --resume, or distil into another output directory");
            }
        }

        void resume(Path checkpoint) {
            Path file = checkpoint.resolve("trainer_state.json");
            JsonNode s = JsonInput.read(file, IllegalArgumentException::new);
            JsonNode saved = s.get("distillation");
            if (saved == null || !saved.isObject()) throw new IllegalArgumentException(file + ": not a distillation checkpoint");
            List<String> differences = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode was = saved.get(e.getKey());
                if (was == null || !was.asText().equals(e.getValue().asText())) {
                    differences.add(e.getKey() + " " + (was == null ? "unset" : was.asText()) + ", now " + e.getValue().asText());
                }
            }
            if (!differences.isEmpty()) {
                throw new IllegalArgumentException("cannot resume from " + checkpoint + ": it ran with " + String.join(", ", differences)
                        + " (resume with the same corpus and settings)");
            }
            ModelDirectory.loadWeights(checkpoint, student);
            OptimizerFiles.read(checkpoint.resolve("optimizer.safetensors"), adam);
            globalStep = s.path("global_step").asInt();
            if (adam.steps() != globalStep) {
                throw new IllegalArgumentException(checkpoint + ": the optimizer state is at step " + adam.steps() + ", the state at " + globalStep);
            }
            epoch = s.path("epoch_index").asInt();
            batchesDone = s.path("batches_done_in_epoch").asInt();
            epochFloat = s.path("epoch").asDouble();
            JsonNode sums = s.path("loss_sums_since_log");
            for (int i = 0; i < logSums.length; i++) logSums[i] = sums.path(i).asDouble();
            logSteps = s.path("steps_since_log").asInt();
            s.path("log_history").forEach(n -> history.add((ObjectNode) n));
            lastSave = globalStep;
            lastCheckpoint = checkpoint;
        }
    }

    private static int[][] rows(int[] flat, int batch, int seq) {
        int[][] r = new int[batch][];
        for (int b = 0; b < batch; b++) r[b] = java.util.Arrays.copyOfRange(flat, b * seq, (b + 1) * seq);
        return r;
    }

    @Override
    public void close() {
        try {
            student.close();
            teacher.close();
        } finally {
            if (ownsCompute) compute.close();
        }
    }
}
