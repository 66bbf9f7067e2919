package dev.distil4j.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TfCheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void namesMapAsTransformersLoadTfWeightsInBert() {
        assertEquals("bert.embeddings.word_embeddings.weight", TfCheckpoint.hfName("module/bert/embeddings/word_embeddings"));
        assertEquals("bert.embeddings.LayerNorm.weight", TfCheckpoint.hfName("bert/embeddings/LayerNorm/gamma"));
        assertEquals("bert.embeddings.LayerNorm.bias", TfCheckpoint.hfName("bert/embeddings/LayerNorm/beta"));
        assertEquals("bert.encoder.layer.11.attention.self.query.weight",
                TfCheckpoint.hfName("module/bert/encoder/layer_11/attention/self/query/kernel"));
        assertEquals("bert.encoder.layer.0.output.dense.bias", TfCheckpoint.hfName("bert/encoder/layer_0/output/dense/bias"));
        assertEquals("bert.pooler.dense.weight", TfCheckpoint.hfName("module/bert/pooler/dense/kernel"));
        assertEquals("cls.predictions.bias", TfCheckpoint.hfName("module/cls/predictions/output_bias"));
        assertEquals("cls.predictions.transform.LayerNorm.weight",
                TfCheckpoint.hfName("cls/predictions/transform/LayerNorm/gamma"));
        assertEquals("cls.seq_relationship.weight", TfCheckpoint.hfName("cls/seq_relationship/output_weights"));
        assertEquals("cls.seq_relationship.bias", TfCheckpoint.hfName("cls/seq_relationship/output_bias"));
        assertNull(TfCheckpoint.hfName("bert/encoder/layer_0/output/dense/kernel/adam_m"));
        assertNull(TfCheckpoint.hfName("global_step"));
    }

    private Path small() throws Exception {
        return new TfBundleWriter()
                .f32("module/bert/embeddings/word_embeddings", new long[] {3, 2}, 1, 2, 3, 4, 5, 6)
                .f32("module/bert/encoder/layer_0/attention/self/query/kernel", new long[] {2, 3}, 1, 2, 3, 4, 5, 6)
                .f32("module/bert/embeddings/LayerNorm/gamma", new long[] {2}, 1.5f, 2.5f)
                .f16("module/cls/predictions/output_bias", new long[] {3}, 0.5f, -1f, 2f)
                .f32("bert/encoder/layer_0/output/dense/kernel/adam_m", new long[] {1}, 9)
                .i64("global_step", 1000)
                .write(tmp, "variables");
    }

    @Test
    void readsABundleUnderHfNames() throws Exception {
        Path index = small();
        try (TfCheckpoint w = TfCheckpoint.open(index)) {
            assertEquals(List.of("bert.embeddings.LayerNorm.weight", "bert.embeddings.word_embeddings.weight",
                    "bert.encoder.layer.0.attention.self.query.weight", "cls.predictions.bias"), List.copyOf(w.names()));
            assertEquals(6, w.bundle().entries().size());
            // kernel [in=2, out=3] -> weight [out=3, in=2]
            assertArrayEquals(new long[] {3, 2}, w.info("bert.encoder.layer.0.attention.self.query.weight").orElseThrow().shape());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, w.floats("bert.encoder.layer.0.attention.self.query.weight").toArray());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.floats("bert.embeddings.word_embeddings.weight").toArray());
            assertArrayEquals(new float[] {0.5f, -1f, 2f}, w.floats("cls.predictions.bias").toArray());
            assertEquals(DType.F16, w.info("cls.predictions.bias").orElseThrow().dtype());
            assertEquals("module/bert/embeddings/LayerNorm/gamma", w.tfName("bert.embeddings.LayerNorm.weight").orElseThrow());
        }
        // Checkpoints finds variables.index in a directory
        try (Weights w = Checkpoints.open(tmp)) {
            assertTrue(w instanceof TfCheckpoint);
        }
    }

    @Test
    void corruptTensorFailsItsCrc() throws Exception {
        Path index = small();
        long offset;
        try (TensorBundle b = TensorBundle.open(index)) {
            offset = b.entries().get("module/bert/embeddings/LayerNorm/gamma").offset();
        }
        try (RandomAccessFile f = new RandomAccessFile(tmp.resolve("variables.data-00000-of-00001").toFile(), "rw")) {
            f.seek(offset + 1);
            f.write(0x7f);
        }
        try (TfCheckpoint w = TfCheckpoint.open(index)) {
            WeightsException e = assertThrows(WeightsException.class, () -> w.floats("bert.embeddings.LayerNorm.weight"));
            assertTrue(e.getMessage().contains("module/bert/embeddings/LayerNorm/gamma") && e.getMessage().contains("CRC"),
                    e.getMessage());
            w.floats("bert.embeddings.word_embeddings.weight"); // the others are intact
        }
    }

    @Test
    void corruptIndexAndTruncatedDataAreReported() throws Exception {
        Path index = small();
        byte[] bytes = Files.readAllBytes(index);
        byte[] flipped = bytes.clone();
        flipped[5] ^= 1;
        Path bad = tmp.resolve("bad.index");
        Files.write(bad, flipped);
        Files.copy(tmp.resolve("variables.data-00000-of-00001"), tmp.resolve("bad.data-00000-of-00001"));
        WeightsException e = assertThrows(WeightsException.class, () -> TfCheckpoint.open(bad));
        assertTrue(e.getMessage().contains("CRC-32C") && e.getMessage().contains("bad.index"), e.getMessage());

        byte[] noMagic = bytes.clone();
        noMagic[noMagic.length - 1] = 0;
        Files.write(bad, noMagic);
        assertTrue(assertThrows(WeightsException.class, () -> TfCheckpoint.open(bad)).getMessage().contains("magic"));

        Files.write(bad, bytes);
        Files.write(tmp.resolve("bad.data-00000-of-00001"), new byte[10]);
        WeightsException t = assertThrows(WeightsException.class, () -> TfCheckpoint.open(bad));
        assertTrue(t.getMessage().contains("truncated"), t.getMessage());

        Files.delete(tmp.resolve("bad.data-00000-of-00001"));
        assertTrue(assertThrows(WeightsException.class, () -> TfCheckpoint.open(bad)).getMessage().contains("missing"));
    }
}
