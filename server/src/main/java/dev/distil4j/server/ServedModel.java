package dev.distil4j.server;

import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.FillMask;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.QuestionAnswering;
import dev.distil4j.pipeline.SentenceTransformerConfig;
import dev.distil4j.pipeline.Task;
import dev.distil4j.pipeline.TextClassification;
import dev.distil4j.pipeline.TokenClassification;
import dev.distil4j.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One model the server answers for: its task pipeline, its embeddings, and the batcher that all
 * its requests go through (one worker per model; the kernels use every core within a batch).
 */
final class ServedModel implements AutoCloseable {
    private final String id;
    private final Path dir;
    private final Task task;
    private final PipelineModel pipelineModel;
    private final boolean sentenceTransformer;
    private final Object pipeline;           // FillMask, TextClassification, TokenClassification, QuestionAnswering or Embeddings
    private volatile Embeddings embeddings;  // for TEI/OpenAI on a model with a head: loaded on first use
    private final Batcher<Op, Object, Object> batcher;

    ServedModel(String id, Path dir, ServerOptions options, ServerMetrics metrics) {
        this.id = id;
        this.dir = dir;
        this.sentenceTransformer = SentenceTransformerConfig.read(dir).isPresent();
        if (sentenceTransformer) {
            Embeddings e = Embeddings.load(dir);
            this.embeddings = e;
            this.pipelineModel = e.model();
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
            if (task == Task.FEATURE_EXTRACTION) this.embeddings = (Embeddings) pipeline;
        }
        this.batcher = new Batcher<>(id, options.batchLimits(), (op, items) -> op.runIsolated(this, items),
                metrics.observer(id));
    }

    String id() {
        return id;
    }

    Task task() {
        return task;
    }

    boolean sentenceTransformer() {
        return sentenceTransformer;
    }

    Tokenizer tokenizer() {
        return pipelineModel.tokenizer();
    }

    PipelineModel pipelineModel() {
        return pipelineModel;
    }

    int maxLength() {
        return pipelineModel.maxLength();
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
            throw ApiException.badRequest("model " + id + " serves " + task.hfName() + ", not " + type.getSimpleName());
        }
        return type.cast(pipeline);
    }

    /** The sentence/token embedder; for a model with a task head, its bare encoder, loaded on first use. */
    Embeddings embeddings() {
        Embeddings e = embeddings;
        if (e == null) {
            synchronized (this) {
                e = embeddings;
                if (e == null) {
                    PipelineModel bare = new PipelineModel(dir, pipelineModel.tokenizer(),
                            Model.load(dir, Model.Options.defaults().withHead(HeadType.NONE)));
                    embeddings = e = new Embeddings(bare, null, null);
                }
            }
        }
        return e;
    }

    int embeddingDimension() {
        return embeddings().sentenceDimension();
    }

    /** Token count of one input, for the batch budget and the length limit. */
    int tokens(String text, String pair) {
        return pair == null ? tokenizer().encode(text).length() : tokenizer().encode(text, pair,
                dev.distil4j.tokenizer.EncodeOptions.DEFAULT).length();
    }

    /**
     * Runs every input through the batcher and waits; a disconnected client cancels what is still
     * queued. Inputs fail individually: the first failure is thrown.
     */
    List<Object> run(Op op, List<?> items, int[] tokens, CompletableFuture<Void> disconnected) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Object>[] futures = new CompletableFuture[items.size()];
        try {
            for (int i = 0; i < items.size(); i++) futures[i] = batcher.submit(op, items.get(i), tokens[i]);
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
                throw unwrap(e.getCause());
            } catch (java.util.concurrent.CancellationException e) {
                throw ApiException.unhealthy("the request was cancelled");
            }
            if (out[i] instanceof RuntimeException failure) throw failure;
        }
        return List.of(out);
    }

    private static RuntimeException unwrap(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        return ApiException.backend(t.toString());
    }

    /** Stops taking work and finishes what is queued. */
    void drain(java.time.Duration timeout) throws InterruptedException {
        batcher.drain(timeout);
    }

    int queued() {
        return batcher.queued();
    }

    @Override
    public void close() {
        batcher.close();
        Embeddings e = embeddings;
        if (e != null && e.model() != pipelineModel) e.model().close();
        pipelineModel.close();
    }
}
