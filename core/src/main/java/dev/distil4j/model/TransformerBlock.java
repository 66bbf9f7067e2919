package dev.distil4j.model;

import dev.distil4j.kernels.Compute;
import dev.distil4j.weights.Parameters;

import java.util.List;

/**
 * One post-LayerNorm transformer layer, as DistilBERT names its parts:
 * <pre>
 *   sa_output = sa_layer_norm(attention(x) + x)
 *   output    = output_layer_norm(ffn(sa_output) + sa_output)
 * </pre>
 * BERT and RoBERTa layers are the same computation under other names
 * ({@code attention.self.query}, {@code attention.output.LayerNorm}, {@code intermediate.dense}, ...);
 * {@link #load} maps them.
 */
final class TransformerBlock {
    final MultiHeadSelfAttention attention;
    final LayerNorm sa_layer_norm;
    final FeedForward ffn;
    final LayerNorm output_layer_norm;

    TransformerBlock(MultiHeadSelfAttention attention, LayerNorm saLayerNorm, FeedForward ffn, LayerNorm outputLayerNorm) {
        this.attention = attention;
        this.sa_layer_norm = saLayerNorm;
        this.ffn = ffn;
        this.output_layer_norm = outputLayerNorm;
    }

    /** The checkpoint names of one layer's parts. */
    private record Names(String q, String k, String v, String out, String saNorm, String lin1, String lin2, String outNorm) {
        static Names distilbert(int i) {
            String l = "transformer.layer." + i + ".";
            return new Names(l + "attention.q_lin", l + "attention.k_lin", l + "attention.v_lin", l + "attention.out_lin",
                    l + "sa_layer_norm", l + "ffn.lin1", l + "ffn.lin2", l + "output_layer_norm");
        }

        static Names bert(int i) {
            String l = "encoder.layer." + i + ".";
            return new Names(l + "attention.self.query", l + "attention.self.key", l + "attention.self.value",
                    l + "attention.output.dense", l + "attention.output.LayerNorm", l + "intermediate.dense",
                    l + "output.dense", l + "output.LayerNorm");
        }
    }

    static TransformerBlock load(ModelConfig c, Parameters p, int layer) {
        boolean distil = c.architecture() == Architecture.DISTILBERT;
        Names n = distil ? Names.distilbert(layer) : Names.bert(layer);
        int h = c.hiddenSize(), f = c.intermediateSize();
        float eps = c.layerNormEps();
        var attention = new MultiHeadSelfAttention(
                Linear.load(p, n.q, h, h), Linear.load(p, n.k, h, h), Linear.load(p, n.v, h, h), Linear.load(p, n.out, h, h),
                c.numHeads());
        return new TransformerBlock(attention, LayerNorm.load(p, n.saNorm, h, eps),
                new FeedForward(Linear.load(p, n.lin1, f, h), Linear.load(p, n.lin2, h, f), c.activation()),
                LayerNorm.load(p, n.outNorm, h, eps));
    }

    /** The layer's weights in the kernels' packed layout (done once, at load). */
    List<PackedWeights> packedWeights() {
        return List.of(attention.qkv, attention.out_lin.packed, ffn.lin1.packed, ffn.lin2.packed);
    }

    /**
     * @param x          [batch * seq, dim]
     * @param attentions optional [batch, heads, seq, seq] out
     * @param ws         this forward pass's scratch arrays
     * @param out        receives the layer's output (may be {@code x}: x is not read once sa exists)
     * @return {@code out}
     */
    float[] forward(Compute c, float[] x, ModelInput in, float[] attentions, Workspace ws, float[] out) {
        int rows = in.batchSize() * in.seqLength();
        float[] sa = attention.forward(c, x, in, attentions, x, ws);   // attention(x) + x
        sa_layer_norm.forward(c, sa, rows);
        ffn.forward(c, sa, rows, sa, ws.ffnHidden, out);              // ffn(sa) + sa
        output_layer_norm.forward(c, out, rows);
        return out;
    }
}
