package dev.distil4j.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.model.ModelInput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a {@code goldens/cases.json} and its {@code .npy} arrays (format in ../shared/README.md). */
public final class Goldens {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Goldens() {}

    /** One stored array: shape and float32 data. */
    public record Array(int[] shape, float[] data) {
        public int size() {
            return data.length;
        }
    }

    /** One case: its inputs and the names of its stored outputs. */
    public record Case(String name, Path dir, JsonNode node) {
        public int[][] ints(String key) {
            JsonNode a = node.get(key);
            if (a == null || a.isNull()) return null;
            int[][] out = new int[a.size()][];
            for (int b = 0; b < a.size(); b++) {
                out[b] = new int[a.get(b).size()];
                for (int i = 0; i < out[b].length; i++) out[b][i] = a.get(b).get(i).asInt();
            }
            return out;
        }

        public ModelInput input() {
            return new ModelInput(ints("input_ids"), ints("attention_mask"), ints("token_type_ids"));
        }

        public List<String> outputs() {
            List<String> keys = new ArrayList<>();
            node.get("outputs").fieldNames().forEachRemaining(keys::add);
            return keys;
        }

        public Array output(String key) {
            JsonNode o = node.get("outputs").get(key);
            if (o == null) throw new IllegalArgumentException(name + ": no output " + key);
            if (!o.get("dtype").asText().equals("float32")) throw new IllegalStateException(name + "/" + key + " is not float32");
            int[] shape = new int[o.get("shape").size()];
            int n = 1;
            for (int i = 0; i < shape.length; i++) n *= (shape[i] = o.get("shape").get(i).asInt());
            return new Array(shape, readNpy(dir.resolve(o.get("file").asText()), o.get("data_offset").asLong(), n));
        }
    }

    public static List<Case> cases(Path goldensDir) {
        JsonNode root = read(goldensDir.resolve("cases.json"));
        List<Case> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) out.add(new Case(c.get("name").asText(), goldensDir, c));
        return out;
    }

    public static JsonNode read(Path json) {
        try {
            return JSON.readTree(json.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static float[] readNpy(Path file, long dataOffset, int count) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
            long pos = dataOffset;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, pos);
                if (r < 0) throw new IOException(file + ": truncated");
                pos += r;
            }
            buf.flip();
            float[] out = new float[count];
            buf.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Largest |a - b| over all elements, after checking the sizes match. */
    public static double maxAbsDiff(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("size differs: expected " + expected.length + ", got " + actual.length);
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (Double.isNaN(d)) return Double.NaN;
            max = Math.max(max, d);
        }
        return max;
    }

    /** Asserts |a - b| <= abs + rel * |a| elementwise; the message names the first offending index. */
    public static void assertClose(String what, float[] expected, float[] actual, double abs, double rel) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": size differs: expected " + expected.length + ", got " + actual.length);
        }
        int bad = 0, first = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            if (!(d <= abs + rel * Math.abs(expected[i]))) {
                if (first < 0) first = i;
                bad++;
            }
        }
        if (bad > 0) {
            throw new AssertionError(what + ": " + bad + " of " + expected.length + " values differ by more than " + abs
                    + " (+" + rel + " rel); first at flat index " + first + ": expected " + expected[first] + ", got "
                    + actual[first] + "; max abs diff " + maxAbsDiff(expected, actual));
        }
    }

    /** Field iterator helper for JSON objects. */
    public static Map<String, JsonNode> fields(JsonNode obj) {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            var e = it.next();
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }
}
