package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Slab;
import dev.distil4j.weights.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The base model ({@code DistilBertModel}, {@code BertModel}, {@code RobertaModel}):
 * embeddings, then {@code n_layers} transformer blocks, and BERT's pooler when present.
 */
final class Encoder {
    final Embeddings embeddings;
    final List<TransformerBlock> layer;
    final Pooler pooler;
    final ModelConfig config;
    /**
     * One workspace kept between forward calls (up to {@link #SPARE_LIMIT} floats), so that a run
     * of same-sized batches neither allocates nor clears ~28 MB per call (DistilBERT-base, 8 x 128).
     */
    private final AtomicReference<Workspace> spare = new AtomicReference<>();
    private static final long SPARE_LIMIT = 16L << 20;

    private Encoder(ModelConfig config, Embeddings embeddings, List<TransformerBlock> layer, Pooler pooler) {
        this.config = config;
        this.embeddings = embeddings;
        this.layer = List.copyOf(layer);
        this.pooler = pooler;
    }

    static Encoder load(ModelConfig c, Parameters p) {
        List<TransformerBlock> blocks = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) blocks.add(TransformerBlock.load(c, p, i));
        return new Encoder(c, Embeddings.load(c, p), blocks, Pooler.loadIfPresent(c, p));
    }

    /**
     * Packs every layer's weights for {@code c}'s kernels now (in parallel), rather than on first
     * use, all into one {@link Slab}: each matrix then starts on a 64-byte boundary.
     */
    void pack(Compute c, Precision precision) {
        List<PackedWeights> all = new ArrayList<>();
        for (TransformerBlock block : layer) all.addAll(block.packedWeights());
        int panel = c.kernels().panelWidth();
        int[] lengths = all.stream().mapToInt(w -> w.storedLength(precision, panel)).toArray();
        Slab slab = Slab.of(precision.format(), lengths);
        c.parallel(all.size(), 1, (from, to) -> {
            for (int i = from; i < to; i++) all.get(i).prepare(c, precision, slab);
        });
    }

    /** Hidden states of every layer (when asked) and the last, plus attentions when asked. */
    record Result(float[] lastHiddenState, List<float[]> hiddenStates, List<float[]> attentions, float[] pooled) {}

    Result forward(Compute c, ModelInput in, boolean keepHidden, boolean keepAttentions) {
        int batch = in.batchSize(), seq = in.seqLength();
        List<float[]> hidden = new ArrayList<>();
        List<float[]> attentions = new ArrayList<>();
        float[] x = embeddings.forward(c, in);
        if (keepHidden) hidden.add(x);
        Workspace ws = spare.getAndSet(null);
        if (ws == null || ws.rows < batch * seq) ws = new Workspace(config, batch * seq);
        for (TransformerBlock block : layer) {
            float[] probs = keepAttentions ? new float[batch * config.numHeads() * seq * seq] : null;
            // each layer's output overwrites its input, unless every hidden state is to be kept
            float[] out = keepHidden ? new float[x.length] : x;
            x = block.forward(c, x, in, probs, ws, out);
            if (keepHidden) hidden.add(x);
            if (keepAttentions) attentions.add(probs);
        }
        if (ws.size() <= SPARE_LIMIT) spare.set(ws);
        float[] pooled = pooler == null ? null : pooler.forward(c, x, batch, seq);
        return new Result(x, hidden, attentions, pooled);
    }
}
