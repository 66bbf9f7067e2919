package dev.distil4j.server;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;

/** What the embedding routes do to a sentence vector after the model: Matryoshka truncation, L2 normalisation, cosine, base64. */
final class Vectors {
    private Vectors() {}

    /**
     * TEI's order: keep the first {@code dimensions} values (null: all), then normalise if asked, so
     * a truncated vector is a unit vector again.
     */
    static float[] finish(float[] raw, Integer dimensions, boolean normalize) {
        float[] v = dimensions == null ? raw : Arrays.copyOf(raw, dimensions);
        return normalize ? l2(v) : v;
    }

    /** {@code v / max(|v|, 1e-12)}. */
    static float[] l2(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        double n = Math.max(Math.sqrt(s), 1e-12);
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) (v[i] / n);
        return o;
    }

    static float cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        double den = Math.sqrt(na) * Math.sqrt(nb);
        return den == 0 ? 0f : (float) (dot / den);
    }

    /** Little-endian float32 bytes, base64: what OpenAI clients decode. */
    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
