package dev.distil4j.model;

import java.util.List;

/**
 * What a forward pass returns, named as in transformers. Absent parts are null (heads) or empty
 * lists (hidden states and attentions unless asked for).
 *
 * @param lastHiddenState [batch, seq, hidden]
 * @param hiddenStates    [layers + 1] of [batch, seq, hidden]: the embeddings, then every layer
 * @param attentions      [layers] of [batch, heads, seq, seq] softmax probabilities
 * @param poolerOutput    [batch, hidden], BERT's pooler when the checkpoint has one
 * @param logits          MLM [batch, seq, vocab]; sequence classification [batch, labels];
 *                        token classification [batch, seq, labels]
 * @param startLogits     question answering [batch, seq]
 * @param endLogits       question answering [batch, seq]
 */
public record ModelOutput(
        Tensor lastHiddenState,
        List<Tensor> hiddenStates,
        List<Tensor> attentions,
        Tensor poolerOutput,
        Tensor logits,
        Tensor startLogits,
        Tensor endLogits) {
    public ModelOutput {
        hiddenStates = List.copyOf(hiddenStates);
        attentions = List.copyOf(attentions);
    }
}
