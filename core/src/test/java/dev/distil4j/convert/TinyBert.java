package dev.distil4j.convert;

import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensorsWriter;
import dev.distil4j.weights.TfBundleWriter;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A small random BERT for MLM (hidden 16, 4 heads, FFN 24, vocab 30), in HF names, writable as safetensors or as a TF bundle. */
final class TinyBert {
    static final int H = 16, FFN = 24, V = 30, P = 20, LAYERS = 4;

    record T(long[] shape, float[] data) {}

    final Map<String, T> tensors = new LinkedHashMap<>();

    TinyBert(long seed) {
        Random r = new Random(seed);
        put(r, "bert.embeddings.word_embeddings.weight", V, H);
        put(r, "bert.embeddings.position_embeddings.weight", P, H);
        put(r, "bert.embeddings.token_type_embeddings.weight", 2, H);
        ln(r, "bert.embeddings.LayerNorm");
        for (int l = 0; l < LAYERS; l++) {
            String p = "bert.encoder.layer." + l + ".";
            for (String n : new String[] {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"}) {
                put(r, p + n + ".weight", H, H);
                put(r, p + n + ".bias", H);
            }
            ln(r, p + "attention.output.LayerNorm");
            put(r, p + "intermediate.dense.weight", FFN, H);
            put(r, p + "intermediate.dense.bias", FFN);
            put(r, p + "output.dense.weight", H, FFN);
            put(r, p + "output.dense.bias", H);
            ln(r, p + "output.LayerNorm");
        }
        put(r, "bert.pooler.dense.weight", H, H);
        put(r, "bert.pooler.dense.bias", H);
        put(r, "cls.predictions.transform.dense.weight", H, H);
        put(r, "cls.predictions.transform.dense.bias", H);
        ln(r, "cls.predictions.transform.LayerNorm");
        put(r, "cls.predictions.bias", V);
    }

    private void put(Random r, String name, long... shape) {
        int n = 1;
        for (long d : shape) n *= (int) d;
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (r.nextGaussian() * 0.3);
        tensors.put(name, new T(shape, d));
    }

    private void ln(Random r, String prefix) {
        put(r, prefix + ".weight", H);
        put(r, prefix + ".bias", H);
        float[] g = tensors.get(prefix + ".weight").data();
        for (int i = 0; i < g.length; i++) g[i] += 1;
    }

    static String config() {
        return """
                {"architectures": ["BertForMaskedLM"], "hidden_act": "gelu", "hidden_size": 16, "intermediate_size": 24,
                 "layer_norm_eps": 1e-12, "max_position_embeddings": 20, "model_type": "bert", "num_attention_heads": 4,
                 "num_hidden_layers": 4, "pad_token_id": 0, "type_vocab_size": 2, "vocab_size": 30}
                """;
    }

    static String vocab() {
        StringBuilder sb = new StringBuilder("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n");
        for (int i = 5; i < V; i++) sb.append("w").append(i).append('\n');
        return sb.toString();
    }

    /** A Hugging Face directory: config.json, vocab.txt, tokenizer_config.json, model.safetensors. */
    Path writeHf(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), config());
        Files.writeString(dir.resolve("vocab.txt"), vocab());
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true, \"tokenizer_class\": \"BertTokenizer\"}");
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        tensors.forEach((n, t) -> entries.add(new SafeTensorsWriter.Entry(n, t.shape, () ->
                new FloatTensor(n, t.shape, FloatBuffer.wrap(t.data)))));
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), entries, DType.F32, SafeTensorsWriter.TRANSFORMERS_METADATA);
        return dir;
    }

    /** A Google-style TF directory: bert_config.json, vocab.txt, bert_model.ckpt.{index,data-00000-of-00001}. */
    Path writeTf(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bert_config.json"), "{\"num_attention_heads\": 4, \"hidden_size\": 16}");
        Files.writeString(dir.resolve("vocab.txt"), vocab());
        TfBundleWriter w = new TfBundleWriter();
        tensors.forEach((n, t) -> {
            String tf = n.replace("bert.encoder.layer.", "bert.encoder.layer_").replaceAll("layer_(\\d+)\\.", "layer_$1/")
                    .replace('.', '/').replace("LayerNorm/weight", "LayerNorm/gamma").replace("LayerNorm/bias", "LayerNorm/beta");
            if (tf.endsWith("_embeddings/weight")) tf = tf.substring(0, tf.length() - "/weight".length());
            if (tf.equals("cls/predictions/bias")) tf = "cls/predictions/output_bias";
            float[] d = t.data;
            long[] shape = t.shape;
            if (tf.endsWith("/weight") && shape.length == 2) { // dense: TF stores the kernel [in, out]
                tf = tf.substring(0, tf.length() - "weight".length()) + "kernel";
                int out = (int) shape[0], in = (int) shape[1];
                float[] k = new float[d.length];
                for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) k[i * out + o] = d[o * in + i];
                d = k;
                shape = new long[] {in, out};
            }
            w.f32(tf, shape, d);
        });
        w.f32("bert/encoder/layer_0/output/dense/kernel/adam_m", new long[] {1}, 0f).i64("global_step", 7);
        w.write(dir, "bert_model.ckpt");
        return dir;
    }
}
