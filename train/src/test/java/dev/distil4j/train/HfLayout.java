package dev.distil4j.train;

import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.TensorInfo;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tensors of a saved model directory against a directory transformers' {@code save_pretrained} wrote
 * for the same architecture and sizes: the same names (no tied copy such as {@code vocab_projector.weight},
 * no missing head), dtypes and shapes, so that {@code from_pretrained} finds every parameter it expects.
 */
public final class HfLayout {
    private HfLayout() {}

    public static void assertSameTensors(Path saved, Path writtenByTransformers) {
        assertThat(layout(saved)).as(saved + " against " + writtenByTransformers)
                .isEqualTo(layout(writtenByTransformers));
    }

    private static Map<String, String> layout(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (SafeTensors st = SafeTensors.open(dir.resolve("model.safetensors"))) {
            for (String name : st.names()) {
                TensorInfo t = st.info(name).orElseThrow();
                out.put(name, t.dtype() + Arrays.toString(t.shape()));
            }
        }
        return out;
    }
}
