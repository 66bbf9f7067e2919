package dev.distil4j.model;

import dev.distil4j.kernels.Compute;

/** A task head on top of the encoder's last hidden state, as transformers' {@code *For...} classes add. */
sealed interface Head permits MaskedLmHead, SequenceClassificationHead, TokenClassificationHead, QuestionAnsweringHead {

    /** Logits (or start/end logits) for the batch; {@code hidden} is [batch * seq, dim]. */
    Logits forward(Compute c, float[] hidden, int batch, int seq);

    /** What a head returns: {@code logits}, or {@code start}/{@code end} for question answering. */
    record Logits(Tensor logits, Tensor start, Tensor end) {}
}
