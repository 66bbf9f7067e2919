package dev.distil4j.train.nn;

import dev.distil4j.kernels.Activation;

/**
 * Classification of the first token ([CLS] / {@code <s>}):
 * <pre>
 *   DistilBERT  classifier(dropout(ReLU(pre_classifier(h0))))
 *   BERT        classifier(dropout(tanh(pooler.dense(h0))))
 *   RoBERTa     classifier.out_proj(dropout(tanh(classifier.dense(dropout(h0)))))
 * </pre>
 * one shape with an input dropout (p 0 for DistilBERT and BERT) and a middle one.
 */
final class SequenceClassificationHead implements Head {
    final Dropout inDropout;
    final Linear dense;
    final Activation activation;
    final Dropout midDropout;
    final Linear out;
    private float[] preActivation;
    private int batch, seq, dim;

    SequenceClassificationHead(Dropout inDropout, Linear dense, Activation activation, Dropout midDropout, Linear out) {
        this.inDropout = inDropout;
        this.dense = dense;
        this.activation = activation;
        this.midDropout = midDropout;
        this.out = out;
    }

    @Override
    public float[] forward(Ctx ctx, float[] hidden, int batch, int seq, boolean keep) {
        this.batch = batch;
        this.seq = seq;
        this.dim = dense.in;
        float[] first = ctx.firstRows(hidden, batch, seq, dim);
        inDropout.forward(ctx, first, first.length);
        float[] h = dense.forward(ctx, first, batch, keep);
        float[] a = ctx.copy(h);
        ctx.kernels.activation(activation, a, 0, a.length);
        preActivation = keep ? h : null;
        midDropout.forward(ctx, a, a.length);
        return out.forward(ctx, a, batch, keep);
    }

    @Override
    public float[] backward(Ctx ctx, float[] dLogits) {
        float[] da = out.backward(ctx, dLogits, true);
        midDropout.backward(ctx, da, da.length);
        ctx.kernels.activationBackward(activation, preActivation, da, da, 0, da.length);
        float[] dFirst = dense.backward(ctx, da, true);
        inDropout.backward(ctx, dFirst, dFirst.length);
        preActivation = null;
        return ctx.atFirstRows(dFirst, batch, seq, dim);
    }

    @Override
    public boolean readsFirstTokenOnly() {
        return true;
    }

    @Override
    public int[] logitsShape(int batch, int seq) {
        return new int[] {batch, out.out};
    }
}
