package dev.distil4j.train.nn;

/**
 * A Linear at every position after a dropout: token classification ({@code classifier}, [batch,
 * seq, labels]) and extractive QA ({@code qa_outputs}, [batch, seq, 2]: start and end logits).
 */
final class TokenHead implements Head {
    final Dropout dropout;
    final Linear classifier;
    private int rows;

    TokenHead(Dropout dropout, Linear classifier) {
        this.dropout = dropout;
        this.classifier = classifier;
    }

    @Override
    public float[] forward(Ctx ctx, float[] hidden, int batch, int seq, boolean keep) {
        rows = batch * seq;
        float[] x = hidden;
        if (dropout.active(ctx)) {
            x = ctx.copy(hidden);
            dropout.forward(ctx, x, x.length);
        }
        return classifier.forward(ctx, x, rows, keep);
    }

    @Override
    public float[] backward(Ctx ctx, float[] dLogits) {
        float[] dx = classifier.backward(ctx, dLogits, true);
        dropout.backward(ctx, dx, dx.length);
        return dx;
    }

    @Override
    public int[] logitsShape(int batch, int seq) {
        return new int[] {batch, seq, classifier.out};
    }
}
