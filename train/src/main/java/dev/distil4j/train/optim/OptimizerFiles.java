package dev.distil4j.train.optim;

import dev.distil4j.train.nn.Param;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.FloatTensor;
import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.SafeTensorsWriter;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AdamW's state in a checkpoint: {@code optimizer.safetensors} with {@code exp_avg.<param>} and
 * {@code exp_avg_sq.<param>} per trainable parameter and the step count in the metadata. Float32
 * both ways, so a resumed run continues bit for bit.
 */
public final class OptimizerFiles {
    private OptimizerFiles() {}

    public static void write(Path file, AdamW optimizer) {
        AdamW.State s = optimizer.state();
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        List<Param> params = optimizer.parameters();
        for (int i = 0; i < params.size(); i++) {
            entries.add(entry("exp_avg." + params.get(i).name(), s.expAvg().get(i)));
            entries.add(entry("exp_avg_sq." + params.get(i).name(), s.expAvgSq().get(i)));
        }
        SafeTensorsWriter.write(file, entries, DType.F32, Map.of("step", Long.toString(s.step())));
    }

    private static SafeTensorsWriter.Entry entry(String name, float[] data) {
        long[] shape = {data.length};
        return new SafeTensorsWriter.Entry(name, shape, () -> new FloatTensor(name, shape, FloatBuffer.wrap(data)));
    }

    /** Restores {@code optimizer} from a file {@link #write} made for the same parameters; errors name the file and tensor. */
    public static void read(Path file, AdamW optimizer) {
        try (SafeTensors st = SafeTensors.open(file)) {
            String step = st.metadata().get("step");
            if (step == null) throw new IllegalArgumentException(file + ": no \"step\" in the metadata (not an optimizer state)");
            List<float[]> m = new ArrayList<>(), v = new ArrayList<>();
            for (Param p : optimizer.parameters()) {
                m.add(tensor(st, file, "exp_avg." + p.name(), p.size()));
                v.add(tensor(st, file, "exp_avg_sq." + p.name(), p.size()));
            }
            optimizer.restore(new AdamW.State(Long.parseLong(step), m, v));
        }
    }

    private static float[] tensor(SafeTensors st, Path file, String name, int size) {
        if (!st.contains(name)) throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
        float[] data = st.floats(name).toArray();
        if (data.length != size) throw new IllegalArgumentException(file + ": '" + name + "' has " + data.length + " values, not " + size);
        return data;
    }
}
