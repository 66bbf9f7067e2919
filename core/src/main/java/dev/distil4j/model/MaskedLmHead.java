package dev.distil4j.model;

import dev.distil4j.kernels.Activation;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.WeightMatrix;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.Parameters;

/**
 * The masked-language-model head: {@code decoder(layer_norm(act(transform(h))))}, the decoder
 * tied to the word embeddings. DistilBERT: {@code vocab_transform}, its {@code activation},
 * {@code vocab_layer_norm}, {@code vocab_projector}; BERT: {@code cls.predictions.transform.dense},
 * {@code hidden_act}, {@code cls.predictions.transform.LayerNorm}, {@code cls.predictions.bias};
 * RoBERTa: {@code lm_head.dense}, always erf-GELU, {@code lm_head.layer_norm}, {@code lm_head.bias}.
 */
record MaskedLmHead(Linear transform, Activation activation, LayerNorm layerNorm, Linear decoder) implements Head {

    static MaskedLmHead load(ModelConfig c, Parameters p, FloatTensor wordEmbeddings) {
        int h = c.hiddenSize(), v = c.vocabSize();
        return switch (c.architecture()) {
            case DISTILBERT -> new MaskedLmHead(Linear.load(p, "vocab_transform", h, h), c.activation(),
                    LayerNorm.load(p, "vocab_layer_norm", h, 1e-12f),
                    decoder(c, p, wordEmbeddings, "vocab_projector.weight", "vocab_projector.bias", null));
            case BERT -> new MaskedLmHead(Linear.load(p, "cls.predictions.transform.dense", h, h), c.activation(),
                    LayerNorm.load(p, "cls.predictions.transform.LayerNorm", h, c.layerNormEps()),
                    decoder(c, p, wordEmbeddings, "cls.predictions.decoder.weight", "cls.predictions.bias",
                            "cls.predictions.decoder.bias"));
            case ROBERTA -> new MaskedLmHead(Linear.load(p, "lm_head.dense", h, h), Activation.GELU,
                    LayerNorm.load(p, "lm_head.layer_norm", h, c.layerNormEps()),
                    decoder(c, p, wordEmbeddings, "lm_head.decoder.weight", "lm_head.bias", "lm_head.decoder.bias"));
        };
    }

    private static Linear decoder(ModelConfig c, Parameters p, FloatTensor wordEmbeddings,
                                  String weightName, String biasName, String altBiasName) {
        int h = c.hiddenSize(), v = c.vocabSize();
        FloatTensor w = c.tieWordEmbeddings() || !p.has(weightName) ? wordEmbeddings : p.tensor(weightName, v, h);
        String bias = altBiasName != null && !p.has(biasName) && p.has(altBiasName) ? altBiasName : biasName;
        return new Linear(new WeightMatrix(w.data(), v, h), p.vector(bias, v));
    }

    @Override
    public Logits forward(Compute c, float[] hidden, int batch, int seq) {
        int rows = batch * seq;
        float[] x = transform.forward(c, hidden, rows, activation, null);
        layerNorm.forward(c, x, rows);
        float[] logits = decoder.forward(c, x, rows);
        return new Logits(new Tensor(new int[] {batch, seq, decoder.out()}, logits), null, null);
    }
}
