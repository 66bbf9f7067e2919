package dev.distil4j.server;

import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.FillMask;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.PreparedInput;
import dev.distil4j.pipeline.QuestionAnswering;
import dev.distil4j.pipeline.SentenceTransformerConfig;
import dev.distil4j.pipeline.Task;
import dev.distil4j.pipeline.TextClassification;
import dev.distil4j.pipeline.TokenClassification;
import dev.distil4j.tokenizer.Side;
import dev.distil4j.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * One model the server answers for: its task pipeline, its embeddings, and the batcher that all
 * its requests go through (one worker per model; the kernels use every core within a batch).
 *
 * <p>text-embeddings-inference's routes choose the truncation side per request; they run on
 * pipelines over a copy of the tokenizer that truncates on that side (same weights). Its sentence
 * vectors are the raw pooled vectors (after Dense modules, before any Normalize): TEI normalises, or
 * not, as each request asks.
 */
final class ServedModel implements AutoCloseable {
    /** What text-embeddings-inference would call this model; it decides /predict, /rerank, /embed_sparse and {@code POST /}. */
    enum Kind {
        /** a sequence classifier with several labels */
        CLASSIFIER,
        /** a sequence classifier with one label: a cross-encoder */
        RERANKER,
        /** a sentence-transformers model or a bare encoder */
        EMBEDDING,
        /** a fill-mask, token-classification or question-answering head: TEI does not serve these as such */
        OTHER
    }

    private final String id;
    private final Path dir;
    private final Task task;
    private final PipelineModel pipelineModel;
    private final SentenceTransformerConfig sentenceConfig; // null for a model without sentence-transformers files
    private final Object pipeline;           // FillMask, TextClassification, TokenClassification, QuestionAnswering or Embeddings
    private volatile PipelineModel encoder;  // the bare encoder (for a model with a task head: loaded on first use)
    private final Map<Side, Embeddings> rawEmbeddings = new ConcurrentHashMap<>();
    private final Map<Side, TextClassification> classifiers = new ConcurrentHashMap<>();
    private final Batcher<Op, Object, Object> batcher;

    ServedModel(String id, Path dir, ServerOptions options, ServerMetrics metrics) {
        this.id = id;
        this.dir = dir;
        this.sentenceConfig = SentenceTransformerConfig.read(dir).orElse(null);
        if (sentenceConfig != null) {
            Embeddings e = Embeddings.load(dir);
            this.pipelineModel = e.model();
            this.encoder = e.model();
            this.pipeline = e;
            this.task = Task.FEATURE_EXTRACTION;
        } else {
            this.pipelineModel = PipelineModel.load(dir);
            this.task = pipelineModel.task();
            this.pipeline = switch (task) {
                case FILL_MASK -> new FillMask(pipelineModel);
                case TEXT_CLASSIFICATION -> new TextClassification(pipelineModel);
                case TOKEN_CLASSIFICATION -> new TokenClassification(pipelineModel);
                case QUESTION_ANSWERING -> new QuestionAnswering(pipelineModel);
                case FEATURE_EXTRACTION -> new Embeddings(pipelineModel, null, null);
            };
            if (task == Task.FEATURE_EXTRACTION) this.encoder = pipelineModel;
        }
        this.batcher = new Batcher<>(id, options.batchLimits(), (op, items) -> op.runIsolated(this, items),
                metrics.observer(id));
    }

    String id() {
        return id;
    }

    Path dir() {
        return dir;
    }

    Task task() {
        return task;
    }

    boolean sentenceTransformer() {
        return sentenceConfig != null;
    }

    Kind kind() {
        return switch (task) {
            case TEXT_CLASSIFICATION -> labels().size() == 1 ? Kind.RERANKER : Kind.CLASSIFIER;
            case FEATURE_EXTRACTION -> Kind.EMBEDDING;
            default -> Kind.OTHER;
        };
    }

    List<String> labels() {
        return pipelineModel.model().config().labels();
    }

    Tokenizer tokenizer() {
        return pipelineModel.tokenizer();
    }

    PipelineModel pipelineModel() {
        return pipelineModel;
    }

    /**
     * The longest input, in tokens with the special ones, that the server takes without truncating:
     * a sentence-transformers model's {@code max_seq_length}, else the model's maximum (what TEI
     * reports as {@code max_input_length}).
     */
    int maxInputLength() {
        return sentenceConfig != null ? ((Embeddings) pipeline).maxLength() : pipelineModel.maxLength();
    }

    /** Whether the model's own sentence-transformers chain ends in Normalize (what its {@code encode} returns). */
    boolean normalizes() {
        return sentenceConfig != null && sentenceConfig.normalizes();
    }

    /** How {@code /embed} pools: the sentence-transformers model's first mode, else mean. */
    SentenceTransformerConfig.Pooling pooling() {
        return sentenceConfig != null ? sentenceConfig.pooling().get(0) : SentenceTransformerConfig.Pooling.MEAN;
    }

    FillMask fillMask() {
        return as(FillMask.class);
    }

    TextClassification classifier() {
        return as(TextClassification.class);
    }

    TokenClassification ner() {
        return as(TokenClassification.class);
    }

    QuestionAnswering qa() {
        return as(QuestionAnswering.class);
    }

    private <T> T as(Class<T> type) {
        if (!type.isInstance(pipeline)) {
            throw ApiException.validation("model " + id + " serves " + task.hfName() + ", not " + type.getSimpleName());
        }
        return type.cast(pipeline);
    }

    /** The classifier, its tokenizer truncating on {@code side}. */
    TextClassification classifier(Side side) {
        TextClassification own = classifier();
        return classifiers.computeIfAbsent(side, s -> {
            PipelineModel sided = sided(pipelineModel, s);
            return sided == pipelineModel ? own : new TextClassification(sided);
        });
    }

    /**
     * Sentence vectors before any Normalize module, and token vectors, its tokenizer truncating on
     * {@code side}. A model with a task head uses its bare encoder, loaded on first use.
     */
    Embeddings rawEmbeddings(Side side) {
        return rawEmbeddings.computeIfAbsent(side, s -> {
            SentenceTransformerConfig c = sentenceConfig != null ? sentenceConfig : SentenceTransformerConfig.defaults(dir);
            return new Embeddings(sided(encoder(), s), c.with(c.pooling(), false), null);
        });
    }

    /** The model with its task head (an MLM head for SPLADE), its tokenizer truncating on {@code side}. */
    PipelineModel headModel(Side side) {
        return sided(pipelineModel, side);
    }

    private static PipelineModel sided(PipelineModel pm, Side side) {
        Tokenizer t = pm.tokenizer().withTruncationSide(side);
        return t == pm.tokenizer() ? pm : new PipelineModel(pm.dir(), t, pm.model());
    }

    private PipelineModel encoder() {
        PipelineModel e = encoder;
        if (e == null) {
            synchronized (this) {
                e = encoder;
                if (e == null) {
                    encoder = e = new PipelineModel(dir, pipelineModel.tokenizer(),
                            Model.load(dir, Model.Options.defaults().withHead(HeadType.NONE)));
                }
            }
        }
        return e;
    }

    int embeddingDimension() {
        return rawEmbeddings(Side.RIGHT).sentenceDimension();
    }

    /**
     * Token count of one input with its special tokens, untruncated, counted no further than {@code atMost}
     * ({@code min(count, atMost)}): for the length limit, a megabyte text costs what {@code atMost} tokens do.
     */
    int tokens(String text, String pair, int atMost) {
        Tokenizer t = tokenizer();
        long n = t.numSpecialTokensToAdd(pair != null) + (long) t.countTokens(text, atMost)
                + (pair == null ? 0 : t.countTokens(pair, atMost));
        return (int) Math.min(n, atMost);
    }

    /**
     * Runs every prepared input through the batcher and waits; a disconnected client cancels what is
     * still queued. Inputs fail individually: the first failure is thrown.
     */
    List<Object> run(Op op, List<? extends PreparedInput> items, CompletableFuture<Void> disconnected) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Object>[] futures = new CompletableFuture[items.size()];
        try {
            for (int i = 0; i < items.size(); i++) futures[i] = batcher.submit(op, items.get(i), items.get(i).tokens());
        } catch (RuntimeException e) {
            for (CompletableFuture<Object> f : futures) if (f != null) f.cancel(false);
            throw e;
        }
        disconnected.thenRun(() -> {
            for (CompletableFuture<Object> f : futures) f.cancel(false);
        });
        Object[] out = new Object[items.size()];
        for (int i = 0; i < futures.length; i++) {
            try {
                out[i] = futures[i].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unhealthy("interrupted");
            } catch (ExecutionException e) {
                throw rethrown(e.getCause());
            } catch (CancellationException e) {
                throw ApiException.unhealthy("the request was cancelled");
            }
            if (out[i] instanceof Op.Failure failure) throw rethrown(failure.cause());
        }
        return List.of(out);
    }

    /**
     * As {@link #run}, {@code chunk} inputs at a time: a request larger than the queue (OpenAI's 2,048
     * inputs) still goes through, and takes no more of the queue at once than any other request.
     */
    List<Object> runInChunks(Op op, List<? extends PreparedInput> items, CompletableFuture<Void> disconnected, int chunk) {
        List<Object> out = new ArrayList<>(items.size());
        for (int from = 0; from < items.size(); from += chunk) {
            out.addAll(run(op, items.subList(from, Math.min(items.size(), from + chunk)), disconnected));
        }
        return out;
    }

    /** A failure from the worker, thrown on the request's thread: unchecked as it was (Errors too), checked ones wrapped. */
    private static RuntimeException rethrown(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("inference failed", t);
    }

    /** Stops taking work and finishes what is queued. */
    void drain(Duration timeout) throws InterruptedException {
        batcher.drain(timeout);
    }

    int queued() {
        return batcher.queued();
    }

    @Override
    public void close() {
        batcher.close();
        PipelineModel e = encoder;
        if (e != null && e.model() != pipelineModel.model()) e.close();
        pipelineModel.close();
    }
}
