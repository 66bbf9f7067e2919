package dev.distil4j.kernels;

import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.testutil.Shared;

import java.nio.FloatBuffer;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Run in a child JVM by {@link KernelDeterminismTest}: the bits of every Vector API kernel's results, once on
 * the first call (interpreted or C1, where the Vector API runs its Java fallback) and again after {@code
 * args[0]} repetitions (by then C2 has compiled the kernels with the vector intrinsics). Prints
 * {@code first=<crc> last=<crc>}.
 */
public final class KernelDigest {
    private KernelDigest() {}

    public static void main(String[] args) throws Exception {
        int repetitions = Integer.parseInt(args[0]);
        // whole models: BERT (GELU, pooler tanh) and DistilBERT, every hidden state
        try (Compute c = new Compute(Kernels.best(), 1);
             Model bert = load("fixtures/training/models/bert-seqcls", c);
             Model distilbert = load("fixtures/models/distilbert-seqcls", c)) {
            Model[] models = {bert, distilbert};
            long first = digest(models), last = first;
            for (int i = 0; i < repetitions; i++) last = digest(models);
            System.out.println("first=" + Long.toHexString(first) + " last=" + Long.toHexString(last));
        }
    }

    private static Model load(String dir, Compute c) {
        return Model.load(Shared.path(dir), Model.Options.defaults().withCompute(c).withHead(HeadType.SEQUENCE_CLASSIFICATION));
    }

    static long digest(Model[] models) {
        Kernels k = Kernels.best();
        CRC32 crc = new CRC32();
        Random r = new Random(42);
        int dim = 77, rows = 3, n = rows * dim;
        float[] x = random(r, n, 4), dy = random(r, n, 1), gamma = random(r, dim, 1), beta = random(r, dim, 1);
        for (Activation a : Activation.values()) {
            float[] y = x.clone(), dx = new float[n];
            k.activation(a, y, 0, n);
            k.activationBackward(a, x, dy, dx, 0, n);
            update(crc, y);
            update(crc, dx);
        }
        float[] s = x.clone();
        k.softmax(s, 5, 70);
        update(crc, s);
        s = x.clone();
        k.scaledMaskedSoftmax(s, 0, 40, 8f, null);
        update(crc, s);
        update(crc, new float[] {k.dot(x, 1, dy, 3, 200)});
        float[] out = new float[n], mean = new float[rows], rstd = new float[rows], dx = new float[n];
        k.layerNorm(x, out, dim, 0, rows, gamma, beta, 1e-12f, mean, rstd);
        k.layerNormBackward(x, dy, dx, dim, 0, rows, gamma, mean, rstd);
        update(crc, out);
        update(crc, mean);
        update(crc, rstd);
        update(crc, dx);
        int m = 5, kk = 83, nn = 19;
        float[] w = random(r, nn * kk, 1), in = random(r, m * kk, 1), bias = random(r, nn, 1), y = new float[m * nn];
        k.linear(in, m, new WeightMatrix(FloatBuffer.wrap(w), nn, kk), bias, y, 0, nn);
        update(crc, y);
        int[][] ids = {{2, 15, 27, 33, 9, 41, 3}, {2, 8, 3, 0, 0, 0, 0}};
        int[][] mask = {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0, 0}};
        for (Model model : models) {
            ModelOutput o = model.forward(new ModelInput(ids, mask, null), true, false);
            update(crc, o.logits().data());
            for (var h : o.hiddenStates()) update(crc, h.data());
        }
        return crc.getValue();
    }

    private static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    private static void update(CRC32 crc, float[] a) {
        for (float f : a) {
            int b = Float.floatToRawIntBits(f);
            crc.update(b);
            crc.update(b >>> 8);
            crc.update(b >>> 16);
            crc.update(b >>> 24);
        }
    }
}
