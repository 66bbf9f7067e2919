package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.tokenizer.Side;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Sentence vectors with text-embeddings-inference's parameters, shared by TEI's {@code /embed} and
 * {@code /similarity}, the Inference API's feature extraction and sentence similarity, and OpenAI's
 * embeddings: {@code normalize}, {@code dimensions} (Matryoshka: keep the first n, then normalise),
 * {@code truncate} and {@code truncation_direction}.
 */
record SentenceRequest(List<String> texts, boolean normalize, Integer dimensions, boolean truncate, Side side) {
    SentenceRequest {
        texts = List.copyOf(texts);
    }

    /**
     * Reads the parameters from {@code params}.
     *
     * @param normalizeDefault what {@code normalize} is when absent (TEI: true)
     */
    static SentenceRequest parse(JsonNode params, List<String> texts, ServedModel m, boolean normalizeDefault, Requests requests) {
        Requests.noPrompt(params);
        return new SentenceRequest(texts, Requests.bool(params, "normalize", normalizeDefault),
                Requests.dimensions(params, m.embeddingDimension()),
                Requests.bool(params, "truncate", requests.autoTruncate()), Requests.side(params));
    }

    /**
     * The texts tokenised on the caller's thread, as the model will run them; 422 for an input over the
     * model's limit (unless {@code truncate}) or a request over the work limits, {@code chunk} inputs at a time.
     */
    List<Embeddings.Prepared> prepare(ServedModel m, Requests requests, int chunk) {
        List<Embeddings.Prepared> p = m.rawEmbeddings(side).prepareSentences(texts);
        requests.checkLengths(m, p, Embeddings.Prepared::fullLength, truncate);
        requests.checkWork(p, chunk);
        return p;
    }

    /** One finished vector per text; {@code chunk} inputs go to the batcher at a time. */
    List<float[]> run(ServedModel m, List<Embeddings.Prepared> prepared, CompletableFuture<Void> disconnected, int chunk) {
        List<Object> raw = m.runInChunks(new Op.SentenceOp(side), prepared, disconnected, chunk);
        List<float[]> out = new ArrayList<>(raw.size());
        for (Object v : raw) out.add(Vectors.finish((float[]) v, dimensions, normalize));
        return out;
    }

    /** {@link #prepare} and {@link #run} for a request that goes to the batcher whole. */
    List<float[]> run(ServedModel m, Requests requests, CompletableFuture<Void> disconnected) {
        return run(m, prepare(m, requests, Integer.MAX_VALUE), disconnected, Integer.MAX_VALUE);
    }
}
