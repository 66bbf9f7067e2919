package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.Parameters;
import dev.distil4j.weights.Weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A loaded encoder with its task head: what {@code AutoModelFor...from_pretrained(dir)} gives in
 * transformers. Thread-safe: {@link #forward} may be called from several threads at once.
 * Owns its weights (and its {@link Compute} unless one was passed in); close it when done.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("distilbert-base-uncased"))) {
 *     ModelOutput out = model.forward(ModelInput.of(new int[] {101, 7592, 102}));
 *     float[] cls = out.lastHiddenState().row(0);
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private final ModelConfig config;
    private final Weights weights;
    private final Compute compute;
    private final boolean ownsCompute;
    private final Encoder encoder;
    private final Head head;
    private final HeadType headType;

    /**
     * How to load.
     *
     * @param head    which head to build; null = the one config.json's {@code architectures} names
     *                (or, without one, the one the checkpoint's tensors show). {@link HeadType#NONE}
     *                loads just the encoder, e.g. for embeddings from an MLM checkpoint.
     * @param compute   kernels and threads to run on; null = the best kernels on every core, owned by the model
     * @param precision the encoder weights' number format; null = {@link Precision#FLOAT32}
     */
    public record Options(HeadType head, Compute compute, Precision precision) {
        public Options(HeadType head, Compute compute) {
            this(head, compute, null);
        }

        public static Options defaults() {
            return new Options(null, null, null);
        }

        public Options withHead(HeadType head) {
            return new Options(head, compute, precision);
        }

        public Options withCompute(Compute compute) {
            return new Options(head, compute, precision);
        }

        /** Opts in to reduced precision ({@link Precision#INT8_WEIGHTS}), or back to float32. */
        public Options withPrecision(Precision precision) {
            return new Options(head, compute, precision);
        }
    }

    private Model(ModelConfig config, Weights weights, Compute compute, boolean ownsCompute, Encoder encoder,
                  Head head, HeadType headType) {
        this.config = config;
        this.weights = weights;
        this.compute = compute;
        this.ownsCompute = ownsCompute;
        this.encoder = encoder;
        this.head = head;
        this.headType = headType;
    }

    /** Loads config.json and the weights of a Hugging Face model directory. */
    public static Model load(Path dir) {
        return load(dir, Options.defaults());
    }

    public static Model load(Path dir, Options options) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new ConfigException(dir + ": no config.json (is this a Hugging Face model directory?)");
        }
        ModelConfig cfg = ModelConfig.read(config);
        return load(cfg, Checkpoints.open(dir), options);
    }

    /** Builds the model from a config and weights; the model takes ownership of the weights, closing them on failure too. */
    public static Model load(ModelConfig config, Weights weights, Options options) {
        try {
            Parameters p = new Parameters(weights, config.architecture().prefix());
            Encoder encoder = Encoder.load(config, p);
            HeadType type = options.head() != null ? options.head() : detectHead(config, p);
            Head head = switch (type) {
                case NONE -> null;
                case MASKED_LM -> MaskedLmHead.load(config, p, encoder.embeddings.word_embeddings);
                case SEQUENCE_CLASSIFICATION -> SequenceClassificationHead.load(config, p);
                case TOKEN_CLASSIFICATION -> TokenClassificationHead.load(config, p);
                case QUESTION_ANSWERING -> QuestionAnsweringHead.load(config, p);
            };
            boolean owns = options.compute() == null;
            Compute compute = owns ? Compute.defaults() : options.compute();
            try {
                encoder.pack(compute, options.precision() == null ? Precision.FLOAT32 : options.precision());
            } catch (RuntimeException e) {
                if (owns) compute.close();
                throw e;
            }
            return new Model(config, weights, compute, owns, encoder, head, type);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static HeadType detectHead(ModelConfig c, Parameters p) {
        HeadType declared = c.declaredHead();
        if (declared != null) return declared;
        if (p.has("vocab_projector.bias") || p.has("cls.predictions.bias") || p.has("lm_head.bias")) return HeadType.MASKED_LM;
        if (p.has("qa_outputs.weight")) return HeadType.QUESTION_ANSWERING;
        if (p.has("pre_classifier.weight") || p.has("classifier.out_proj.weight")) return HeadType.SEQUENCE_CLASSIFICATION;
        return HeadType.NONE;
    }

    public ModelConfig config() {
        return config;
    }

    public HeadType headType() {
        return headType;
    }

    public Compute compute() {
        return compute;
    }

    /** The last hidden state and the head's logits. */
    public ModelOutput forward(ModelInput in) {
        return forward(in, false, false);
    }

    /**
     * Runs the encoder and the head.
     *
     * @param hiddenStates also return the embedding output and every layer's output
     * @param attentions   also return every layer's attention probabilities
     * @throws IllegalArgumentException for ids outside the vocabulary, too long sequences, bad token types
     */
    public ModelOutput forward(ModelInput in, boolean hiddenStates, boolean attentions) {
        validate(in);
        int batch = in.batchSize(), seq = in.seqLength(), h = config.hiddenSize();
        Encoder.Result r = encoder.forward(compute, in, hiddenStates, attentions);
        int[] hiddenShape = {batch, seq, h};
        List<Tensor> hs = new ArrayList<>();
        for (float[] x : r.hiddenStates()) hs.add(new Tensor(hiddenShape, x));
        List<Tensor> at = new ArrayList<>();
        for (float[] a : r.attentions()) at.add(new Tensor(new int[] {batch, config.numHeads(), seq, seq}, a));
        Tensor pooled = r.pooled() == null ? null : new Tensor(new int[] {batch, h}, r.pooled());
        Head.Logits logits = head == null ? new Head.Logits(null, null, null) : head.forward(compute, r.lastHiddenState(), batch, seq);
        return new ModelOutput(new Tensor(hiddenShape, r.lastHiddenState()), hs, at, pooled,
                logits.logits(), logits.start(), logits.end());
    }

    private void validate(ModelInput in) {
        int seq = in.seqLength();
        int maxSeq = config.architecture() == Architecture.ROBERTA
                ? config.maxPositionEmbeddings() - config.padTokenId() - 1
                : config.maxPositionEmbeddings();
        if (seq > maxSeq) {
            throw new IllegalArgumentException("sequence length " + seq + " exceeds the model's maximum of " + maxSeq
                    + " tokens (max_position_embeddings " + config.maxPositionEmbeddings() + "); truncate the input");
        }
        boolean distil = config.architecture() == Architecture.DISTILBERT;
        // DistilBERT's type_vocab_size is 0: it never reads the ids, but what its tokenizer makes is 0 or 1
        int types = distil ? 2 : config.typeVocabSize();
        for (int b = 0; b < in.batchSize(); b++) {
            for (int i = 0; i < seq; i++) {
                int id = in.inputIds()[b][i];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("input_ids[" + b + "][" + i + "] = " + id
                            + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
                }
                int t = in.tokenType(b, i);
                if (t < 0 || t >= types) {
                    throw new IllegalArgumentException("token_type_ids[" + b + "][" + i + "] = " + t
                            + " is outside 0.." + (types - 1) + (distil
                            ? " (DistilBERT has no token type embeddings and ignores segment ids, but a pair's are 0 and 1)"
                            : ""));
                }
            }
        }
    }

    @Override
    public void close() {
        if (ownsCompute) compute.close();
        weights.close();
    }
}
