package dev.distil4j.server;

import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.Tensor;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.PreparedInput;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.TruncationStrategy;

import java.util.ArrayList;
import java.util.List;

/**
 * SPLADE pooling, as text-embeddings-inference computes it for {@code /embed_sparse}: per vocabulary
 * entry, the maximum over the tokens (special ones included) of {@code log(1 + relu(logit))}, the
 * logits being the masked-language-model head's. It needs a model with that head.
 */
final class Splade {
    private Splade() {}

    /** One text's token ids, cut to the length the route allows. */
    record Prepared(int[] ids) implements PreparedInput {
        Prepared {
            ids = ids.clone();
        }

        @Override
        public int tokens() {
            return ids.length;
        }

    }

    static boolean supports(PipelineModel pm) {
        return pm.model().headType() == HeadType.MASKED_LM;
    }

    /** Tokenises texts, cutting those longer than {@code maxLength} tokens on the tokenizer's truncation side. */
    static List<Prepared> prepare(PipelineModel pm, List<String> texts, int maxLength) {
        EncodeOptions enc = EncodeOptions.DEFAULT.withTruncation(TruncationStrategy.LONGEST_FIRST, maxLength);
        List<Prepared> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            Encoding e = pm.tokenizer().encodeFirstWindow(text, null, enc).encoding();
            out.add(new Prepared(e.ids()));
        }
        return out;
    }

    /** One dense vector over the vocabulary per text (mostly zeros). */
    static List<float[]> vectors(PipelineModel pm, List<Prepared> texts) {
        if (!supports(pm)) throw new IllegalStateException("SPLADE needs a masked-language-model head");
        List<float[]> out = new ArrayList<>(texts.size());
        // one sequence per forward pass: the [tokens, vocabulary] logits are large and need no padding this way
        for (Prepared p : texts) {
            Tensor logits = pm.model().forward(ModelInput.of(p.ids)).logits();
            int t = logits.dim(1), v = logits.dim(2);
            float[] data = logits.data();
            float[] pooled = new float[v];
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < v; j++) {
                    float x = data[i * v + j];
                    if (x > 0) pooled[j] = Math.max(pooled[j], (float) Math.log1p(x));
                }
            }
            out.add(pooled);
        }
        return out;
    }
}
