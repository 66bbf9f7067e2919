package dev.distil4j.train.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.kernels.Activation;
import dev.distil4j.kernels.Compute;
import dev.distil4j.model.Architecture;
import dev.distil4j.io.JsonInput;
import dev.distil4j.model.ConfigException;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.model.ModelInput;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.Parameters;
import dev.distil4j.weights.Weights;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A BERT, DistilBERT or RoBERTa encoder with a task head, as trainable parameters and one fixed
 * graph: {@code embeddings -> layer x n -> head}, each block's backward beside its forward.
 * Parameters carry transformers' names ({@code distilbert.transformer.layer.0.ffn.lin1.weight},
 * {@code classifier.weight}), so gradients and checkpoints line up with PyTorch's.
 *
 * <pre>
 *   Output out = model.forward(batch, Mode.train(seed));    // keeps the activations
 *   ... loss and dLogits from out.logits() ...
 *   model.backward(dLogits, null);                          // accumulates into every Param's grad
 * </pre>
 * Head parameters missing from the checkpoint (fine-tuning a base or MLM checkpoint into a
 * classifier) are initialised as transformers does (normal(0, initializer_range) weights, zero
 * biases) from a seed, and listed by {@link #initialized()}.
 */
public final class TrainableModel implements AutoCloseable {

    /**
     * @param head     the task head (null: the config's declared one)
     * @param labels   the classifier's labels (null: the config's id2label)
     * @param dropouts dropout probabilities (null: the config's)
     * @param compute  threads and kernels (null: all cores, owned and closed by the model)
     * @param initSeed seed for initialising missing head parameters
     * @param gradientCheckpointing recompute each layer's activations in the backward
     */
    public record Options(HeadType head, List<String> labels, Dropouts dropouts, Compute compute, long initSeed,
                          boolean gradientCheckpointing) {
        public static Options defaults() {
            return new Options(null, null, null, null, 42, false);
        }

        public Options withHead(HeadType h) {
            return new Options(h, labels, dropouts, compute, initSeed, gradientCheckpointing);
        }

        public Options withLabels(List<String> l) {
            return new Options(head, l, dropouts, compute, initSeed, gradientCheckpointing);
        }

        public Options withDropouts(Dropouts d) {
            return new Options(head, labels, d, compute, initSeed, gradientCheckpointing);
        }

        public Options withCompute(Compute c) {
            return new Options(head, labels, dropouts, c, initSeed, gradientCheckpointing);
        }

        public Options withInitSeed(long s) {
            return new Options(head, labels, dropouts, compute, s, gradientCheckpointing);
        }

        public Options withGradientCheckpointing(boolean on) {
            return new Options(head, labels, dropouts, compute, initSeed, on);
        }
    }

    /** How a forward runs: training (dropout from {@code seed}, activations kept for the backward) or eval. */
    public record Mode(boolean training, long seed, boolean keepActivations) {
        public static Mode train(long seed) {
            return new Mode(true, seed, true);
        }

        /** No dropout, nothing kept: inference and teachers. */
        public static Mode eval() {
            return new Mode(false, 0, false);
        }

        /** No dropout but activations kept: a deterministic step (the goldens' dropout 0). */
        public static Mode deterministicTrain() {
            return new Mode(false, 0, true);
        }
    }

    /**
     * A forward's result: logits of {@link #logitsShape()} and the last hidden state [batch * seq, dim],
     * null for a sequence-classification head (it reads only each sequence's first token, so the last
     * layer computes only those rows); and for each layer the forward was asked to tap, that layer's
     * output at each sequence's first token ([CLS] or {@code <s>}), [batch, dim].
     */
    public record Output(float[] logits, int[] logitsShape, float[] lastHiddenState, int batch, int seq,
                         float[][] firstTokenStates) {}

    private static final int[] NO_LAYERS = {};

    private final ModelConfig config;
    private final HeadType headType;
    private final Dropouts dropouts;
    private final List<Param> params;
    private final Map<String, Param> byName;
    private final List<String> initialized;
    private final Embeddings embeddings;
    private final List<TransformerLayer> layers;
    private final Head head;
    private final Ctx ctx;
    private final boolean ownsCompute;
    private boolean pendingBackward;
    /** The last training forward's scopes: embeddings, each layer, the head. */
    private Ctx.Scope[] forwardScopes;
    /** The last training forward's sequence length and whether its last layer computed first tokens only. */
    private int forwardSeq;
    private boolean forwardFirstOnly;

    private TrainableModel(ModelConfig config, HeadType headType, Dropouts dropouts, Builder b, Embeddings embeddings,
                           List<TransformerLayer> layers, Head head, Compute compute, boolean ownsCompute) {
        this.config = config;
        this.headType = headType;
        this.dropouts = dropouts;
        this.params = List.copyOf(b.params);
        Map<String, Param> m = new LinkedHashMap<>();
        for (Param p : params) m.put(p.name(), p);
        this.byName = Collections.unmodifiableMap(m);
        this.initialized = List.copyOf(b.initialized);
        this.embeddings = embeddings;
        this.layers = List.copyOf(layers);
        this.head = head;
        this.ctx = new Ctx(compute);
        this.ownsCompute = ownsCompute;
    }

    /** Loads a Hugging Face model directory (config.json and a checkpoint). */
    public static TrainableModel load(Path dir, Options options) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new ConfigException(dir + ": no config.json (is this a Hugging Face model directory?)");
        }
        JsonNode json = JsonInput.read(configFile, ConfigException::new);
        ModelConfig config = ModelConfig.read(configFile);
        if (options.labels() != null) config = withLabels(config, options.labels());
        try (Weights weights = Checkpoints.open(dir)) {
            return build(config, json, weights, options);
        }
    }

    private static ModelConfig withLabels(ModelConfig c, List<String> labels) {
        return new ModelConfig(c.architecture(), c.modelType(), c.architectures(), c.vocabSize(), c.hiddenSize(),
                c.numLayers(), c.numHeads(), c.intermediateSize(), c.maxPositionEmbeddings(), c.typeVocabSize(),
                c.activation(), c.layerNormEps(), c.padTokenId(), c.sinusoidalPosEmbds(), labels, c.problemType(),
                c.tieWordEmbeddings());
    }

    private static TrainableModel build(ModelConfig c, JsonNode json, Weights weights, Options options) {
        HeadType headType = options.head() != null ? options.head() : c.declaredHead() != null ? c.declaredHead() : HeadType.NONE;
        Dropouts dropouts = options.dropouts() != null ? options.dropouts() : Dropouts.fromConfig(c.architecture(), json);
        JsonNode range = json.get("initializer_range");
        Builder b = new Builder(new Parameters(weights, c.architecture().prefix()),
                headType == HeadType.NONE ? "" : c.architecture().prefix() + ".",
                range != null && range.isNumber() ? range.floatValue() : 0.02f, options.initSeed());
        boolean distil = c.architecture() == Architecture.DISTILBERT, roberta = c.architecture() == Architecture.ROBERTA;
        int h = c.hiddenSize(), f = c.intermediateSize(), v = c.vocabSize();
        float eps = c.layerNormEps();

        Param word = b.base("embeddings.word_embeddings.weight", true, v, h);
        Param position = b.base("embeddings.position_embeddings.weight", !c.sinusoidalPosEmbds(), c.maxPositionEmbeddings(), h);
        Param tokenType = distil ? null : b.base("embeddings.token_type_embeddings.weight", true, c.typeVocabSize(), h);
        var embeddings = new Embeddings(word, position, tokenType, b.layerNorm("embeddings.LayerNorm", h, eps, false),
                b.dropout(dropouts.hidden()), roberta, c.padTokenId());

        List<TransformerLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            String l = distil ? "transformer.layer." + i + "." : "encoder.layer." + i + ".";
            String q = distil ? "attention.q_lin" : "attention.self.query", k = distil ? "attention.k_lin" : "attention.self.key";
            String vv = distil ? "attention.v_lin" : "attention.self.value", o = distil ? "attention.out_lin" : "attention.output.dense";
            String saNorm = distil ? "sa_layer_norm" : "attention.output.LayerNorm";
            String lin1 = distil ? "ffn.lin1" : "intermediate.dense", lin2 = distil ? "ffn.lin2" : "output.dense";
            String outNorm = distil ? "output_layer_norm" : "output.LayerNorm";
            Param qw = b.base(l + q + ".weight", true, h, h), qb = b.base(l + q + ".bias", true, h);
            Param kw = b.base(l + k + ".weight", true, h, h), kb = b.base(l + k + ".bias", true, h);
            Param vw = b.base(l + vv + ".weight", true, h, h), vb = b.base(l + vv + ".bias", true, h);
            var attention = new SelfAttention(new Linear(new Param[] {qw, kw, vw}, new Param[] {qb, kb, vb}),
                    b.linear(l + o, h, h, false), c.numHeads(), b.dropout(dropouts.attention()));
            layers.add(new TransformerLayer(attention, b.dropout(distil ? 0f : dropouts.hidden()),
                    b.layerNorm(l + saNorm, h, eps, false),
                    new FeedForward(b.linear(l + lin1, f, h, false), b.linear(l + lin2, h, f, false), c.activation()),
                    b.dropout(dropouts.hidden()), b.layerNorm(l + outNorm, h, eps, false)));
        }

        int labels = c.numLabels();
        Head head = switch (headType) {
            case NONE -> null;
            case SEQUENCE_CLASSIFICATION -> switch (c.architecture()) {
                case DISTILBERT -> new SequenceClassificationHead(b.dropout(0), b.linear("pre_classifier", h, h, true),
                        Activation.RELU, b.dropout(dropouts.classifier()), b.linear("classifier", labels, h, true));
                case BERT -> new SequenceClassificationHead(b.dropout(0), b.linear(b.prefix + "pooler.dense", h, h, true),
                        Activation.TANH, b.dropout(dropouts.classifier()), b.linear("classifier", labels, h, true));
                case ROBERTA -> new SequenceClassificationHead(b.dropout(dropouts.classifier()), b.linear("classifier.dense", h, h, true),
                        Activation.TANH, b.dropout(dropouts.classifier()), b.linear("classifier.out_proj", labels, h, true));
            };
            case TOKEN_CLASSIFICATION -> new TokenHead(b.dropout(distil ? dropouts.hidden() : dropouts.classifier()),
                    b.linear("classifier", labels, h, true));
            case QUESTION_ANSWERING -> new TokenHead(b.dropout(distil ? dropouts.qa() : 0f), b.linear("qa_outputs", 2, h, true));
            case MASKED_LM -> switch (c.architecture()) {
                case DISTILBERT -> new MaskedLmHead(b.linear("vocab_transform", h, h, true), c.activation(),
                        b.layerNorm("vocab_layer_norm", h, 1e-12f, true), word, b.head("vocab_projector.bias", Init.ZEROS, v));
                case BERT -> new MaskedLmHead(b.linear("cls.predictions.transform.dense", h, h, true), c.activation(),
                        b.layerNorm("cls.predictions.transform.LayerNorm", h, eps, true), word,
                        b.head("cls.predictions.bias", Init.ZEROS, v));
                case ROBERTA -> new MaskedLmHead(b.linear("lm_head.dense", h, h, true), Activation.GELU,
                        b.layerNorm("lm_head.layer_norm", h, eps, true), word, b.head("lm_head.bias", Init.ZEROS, v));
            };
        };
        boolean owns = options.compute() == null;
        Compute compute = owns ? Compute.defaults() : options.compute();
        var model = new TrainableModel(c, headType, dropouts, b, embeddings, layers, head, compute, owns);
        model.setGradientCheckpointing(options.gradientCheckpointing());
        return model;
    }

    /** How a head parameter the checkpoint lacks starts, as transformers' _init_weights. */
    private enum Init { NORMAL, ZEROS, ONES }

    /** Reads parameters from the checkpoint, or initialises head parameters it lacks. */
    private static final class Builder {
        final Parameters source;
        final String prefix;
        final float initRange;
        final SplittableRandom random;
        final List<Param> params = new ArrayList<>();
        final List<String> initialized = new ArrayList<>();
        long dropoutIds;

        Builder(Parameters source, String prefix, float initRange, long seed) {
            this.source = source;
            this.prefix = prefix;
            this.initRange = initRange;
            this.random = new SplittableRandom(seed);
        }

        /** An encoder parameter: must be in the checkpoint. */
        Param base(String name, boolean trainable, int... shape) {
            float[] data = source.tensor(name, longs(shape)).toArray();
            return add(new Param(prefix + name, shape, data, trainable, decays(name)));
        }

        /** A head parameter (full name): from the checkpoint when there, else initialised. */
        Param head(String name, Init init, int... shape) {
            String key = name.startsWith(prefix) && !prefix.isEmpty() ? name.substring(prefix.length()) : name;
            float[] data;
            if (source.has(key)) {
                data = source.tensor(key, longs(shape)).toArray();
            } else {
                data = new float[product(shape)];
                for (int i = 0; i < data.length; i++) {
                    data[i] = switch (init) {
                        case NORMAL -> (float) (random.nextGaussian() * initRange);
                        case ZEROS -> 0f;
                        case ONES -> 1f;
                    };
                }
                initialized.add(name);
            }
            return add(new Param(name, shape, data, true, decays(name)));
        }

        Linear linear(String name, int out, int in, boolean isHead) {
            if (!isHead) return new Linear(base(name + ".weight", true, out, in), base(name + ".bias", true, out));
            return new Linear(head(name + ".weight", Init.NORMAL, out, in), head(name + ".bias", Init.ZEROS, out));
        }

        LayerNorm layerNorm(String name, int dim, float eps, boolean isHead) {
            if (!isHead) return new LayerNorm(base(name + ".weight", true, dim), base(name + ".bias", true, dim), eps);
            return new LayerNorm(head(name + ".weight", Init.ONES, dim), head(name + ".bias", Init.ZEROS, dim), eps);
        }

        Dropout dropout(float p) {
            return new Dropout(p, ++dropoutIds);
        }

        private Param add(Param p) {
            params.add(p);
            return p;
        }

        /** transformers' Trainer: no weight decay on biases and LayerNorm weights. */
        private static boolean decays(String name) {
            return !name.endsWith("bias") && !name.contains("LayerNorm") && !name.contains("layer_norm");
        }

        private static long[] longs(int[] shape) {
            long[] l = new long[shape.length];
            for (int i = 0; i < shape.length; i++) l[i] = shape[i];
            return l;
        }

        private static int product(int[] shape) {
            int n = 1;
            for (int s : shape) n = Math.multiplyExact(n, s);
            return n;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public HeadType headType() {
        return headType;
    }

    public Dropouts dropouts() {
        return dropouts;
    }

    public Compute compute() {
        return ctx.compute;
    }

    /** Every parameter once (a tied decoder weight is the word embeddings), in checkpoint order. */
    public List<Param> parameters() {
        return params;
    }

    /** The parameter of that transformers name; IllegalArgumentException when there is none. */
    public Param param(String name) {
        Param p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter '" + name + "' in this " + config.modelType() + " model");
        return p;
    }

    /** Head parameters the checkpoint did not have, initialised from the seed. */
    public List<String> initialized() {
        return initialized;
    }

    public void setGradientCheckpointing(boolean on) {
        for (TransformerLayer l : layers) l.checkpointed = on;
    }

    public void zeroGrad() {
        for (Param p : params) {
            float[] g = p.grad();
            if (g != null) ctx.compute.parallel(g.length, 65536, (a, b) -> Arrays.fill(g, a, b, 0f));
        }
    }

    /** Runs the graph; with {@code mode.keepActivations()} the next call must be {@link #backward}. */
    public Output forward(ModelInput in, Mode mode) {
        return forward(in, mode, NO_LAYERS);
    }

    /**
     * Runs the graph and keeps a copy of the first token's output of each of {@code tapLayers} (0-based
     * encoder layers) in {@link Output#firstTokenStates()}, as patient distillation reads them.
     */
    public Output forward(ModelInput in, Mode mode, int[] tapLayers) {
        for (int l : tapLayers) {
            if (l < 0 || l >= layers.size()) throw new IllegalArgumentException("no layer " + l + " (the model has " + layers.size() + ")");
        }
        ctx.training = mode.training();
        ctx.seed = mode.seed();
        boolean keep = mode.keepActivations();
        int batch = in.batchSize(), seq = in.seqLength();
        if (seq > config.maxPositionEmbeddings() - (config.architecture() == Architecture.ROBERTA ? config.padTokenId() + 1 : 0)) {
            throw new IllegalArgumentException("sequence of " + seq + " tokens is longer than the model's "
                    + config.maxPositionEmbeddings() + " positions");
        }
        ctx.recycle((long) batch << 32 | seq); // the last step's arrays: its backward is done or abandoned
        // one scope per block: its arrays are released when nothing needs them any more
        Ctx.Scope[] scopes = new Ctx.Scope[layers.size() + 2];
        scopes[0] = ctx.open();
        float[] x = embeddings.forward(ctx, in, keep);
        ctx.close(scopes[0]);
        // a head that reads each sequence's first token only gets the last layer's first rows only
        boolean firstOnly = head != null && head.readsFirstTokenOnly();
        float[][] taps = new float[tapLayers.length][];
        int dim = config.hiddenSize();
        for (int l = 0; l < layers.size(); l++) {
            TransformerLayer layer = layers.get(l);
            Ctx.Scope s = scopes[l + 1] = ctx.open();
            boolean firstRowsOnly = firstOnly && l == layers.size() - 1;
            float[] y = layer.forward(ctx, x, in, keep, firstRowsOnly);
            ctx.close(s);
            for (int t = 0; t < tapLayers.length; t++) {
                if (tapLayers[t] != l) continue;
                int stride = firstRowsOnly ? 1 : seq;
                taps[t] = new float[batch * dim];
                for (int b = 0; b < batch; b++) System.arraycopy(y, b * stride * dim, taps[t], b * dim, dim);
            }
            if (keep && layer.checkpointed) ctx.release(s, y);  // recomputed in the backward: keep only the output
            if (!keep) ctx.release(scopes[l], null);            // inference: the layer's input is dead
            x = y;
        }
        Ctx.Scope h = scopes[layers.size() + 1] = ctx.open();
        float[] logits = head == null ? null : head.forward(ctx, x, batch, firstOnly ? 1 : seq, keep);
        ctx.close(h);
        forwardScopes = keep ? scopes : null;
        pendingBackward = keep;
        forwardSeq = seq;
        forwardFirstOnly = firstOnly;
        // the caller's own copies: this step's arrays are reused by the next one
        return new Output(logits == null ? null : logits.clone(), head == null ? null : head.logitsShape(batch, seq),
                firstOnly ? null : x.clone(), batch, seq, taps);
    }

    /**
     * Backpropagates the last training forward: {@code dLogits} (the loss's gradient with respect
     * to the logits, or null) and {@code dHidden} (an extra gradient on the last hidden state, as
     * the distillation's cosine loss gives, or null). Gradients add to every Param's grad.
     */
    public void backward(float[] dLogits, float[] dHidden) {
        backward(dLogits, dHidden, NO_LAYERS, null);
    }

    /**
     * {@link #backward(float[], float[])} plus, for each of {@code tapLayers}, an extra gradient on that
     * layer's first-token outputs ([batch, dim], as {@link Output#firstTokenStates()}), added where the
     * backward passes that layer.
     */
    public void backward(float[] dLogits, float[] dHidden, int[] tapLayers, float[][] dFirstTokens) {
        if (!pendingBackward) throw new IllegalStateException("backward needs a forward that kept its activations");
        pendingBackward = false;
        Ctx.Scope[] fs = forwardScopes;
        forwardScopes = null;
        // each block's activations and each backward's temporaries are released once dead, so the
        // step's peak is the forward's activations plus about one layer's gradients
        Ctx.Scope prev = ctx.open();
        float[] dx = dLogits == null ? null : head.backward(ctx, dLogits);
        if (dHidden != null) {
            if (head != null && head.readsFirstTokenOnly()) {
                throw new IllegalArgumentException("a sequence-classification model's last layer computes only the first tokens: no gradient on the last hidden state");
            }
            if (dx == null) dx = ctx.copy(dHidden); else ctx.add(dHidden, dx, dx.length);
        }
        ctx.close(prev);
        if (dx == null) throw new IllegalArgumentException("backward needs dLogits or dHidden");
        ctx.release(prev, dx);
        ctx.release(fs[layers.size() + 1], null);
        int dim = config.hiddenSize();
        for (int l = layers.size() - 1; l >= 0; l--) {
            for (int t = 0; t < tapLayers.length; t++) {
                if (tapLayers[t] != l) continue;
                // dx is the gradient on layer l's output: rows b * stride hold the first tokens
                int stride = forwardFirstOnly && l == layers.size() - 1 ? 1 : forwardSeq;
                float[] g = dFirstTokens[t];
                for (int b = 0; b < g.length / dim; b++) {
                    int o = b * stride * dim;
                    for (int c = 0; c < dim; c++) dx[o + c] += g[b * dim + c];
                }
            }
            Ctx.Scope b = ctx.open();
            float[] ndx = layers.get(l).backward(ctx, dx);
            ctx.close(b);
            ctx.release(b, ndx);
            ctx.release(prev, null);           // the gradient from above
            ctx.release(fs[l + 1], null);      // the layer's activations
            prev = b;
            dx = ndx;
        }
        Ctx.Scope e = ctx.open();
        embeddings.backward(ctx, dx);
        ctx.close(e);
        ctx.release(e, null);
        ctx.release(prev, null);
        ctx.release(fs[0], null);
    }

    @Override
    public void close() {
        if (ownsCompute) ctx.compute.close();
    }
}
