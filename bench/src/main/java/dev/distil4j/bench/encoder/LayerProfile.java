package dev.distil4j.bench.encoder;

import dev.distil4j.kernels.Activation;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.kernels.PackedMatrix;
import dev.distil4j.kernels.WeightFormat;
import dev.distil4j.kernels.WeightMatrix;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Where one DistilBERT-base layer spends its time, part by part, at one shape: the same kernel
 * calls the model makes (fused QKV product, attention, out_lin + residual, LayerNorm, lin1 + GELU,
 * lin2 + residual), each timed alone (median of repeats).
 * {@code java -cp distil4j-bench.jar dev.distil4j.bench.encoder.LayerProfile THREADS BATCH SEQ [float32|bf16|int8]}
 */
public final class LayerProfile {
    private LayerProfile() {}

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]), batch = Integer.parseInt(args[1]), seq = Integer.parseInt(args[2]);
        int h = 768, f = 3072, heads = 12, d = 64, rows = batch * seq;
        SplittableRandom r = new SplittableRandom(1);
        try (Compute c = new Compute(Kernels.best(), threads)) {
            String precision = args.length > 3 ? args[3] : "float32";
            WeightFormat format = switch (precision) {
                case "bf16" -> WeightFormat.BF16;
                case "int8" -> WeightFormat.INT8;
                default -> WeightFormat.FLOAT32;
            };
            java.util.function.Function<WeightMatrix, PackedMatrix> pack = w -> c.pack(format, null, w);
            PackedMatrix qkv = pack.apply(w(r, 3 * h, h)), out = pack.apply(w(r, h, h)), lin1 = pack.apply(w(r, f, h)), lin2 = pack.apply(w(r, h, f));
            float[] x = rnd(r, rows * h), bias3 = rnd(r, 3 * h), bias = rnd(r, h), biasF = rnd(r, f), gamma = rnd(r, h);
            float[] qkvOut = new float[rows * 3 * h], ctx = new float[rows * h], sa = new float[rows * h];
            float[] hid = new float[rows * f], o = new float[rows * h];
            double total = 0;
            total += report("qkv linear", 2.0 * rows * h * 3 * h, () -> time(() -> c.linear(x, rows, qkv, bias3, null, null, qkvOut)));
            total += report("attention", 4.0 * batch * seq * seq * h, () -> time(() -> c.attention(qkvOut, 0, qkvOut, h, qkvOut, 2 * h, 3 * h,
                    batch, seq, heads, d, null, 8f, ctx, null)));
            total += report("out_lin + residual", 2.0 * rows * h * h, () -> time(() -> c.linear(ctx, rows, out, bias, null, x, sa)));
            report("out_lin alone", 2.0 * rows * h * h, () -> time(() -> c.linear(ctx, rows, out, bias, null, null, sa)));
            total += report("LayerNorm", 0, () -> time(() -> c.layerNorm(sa, sa, rows, h, gamma, bias, 1e-12f)));
            total += report("lin1 + GELU", 2.0 * rows * h * f, () -> time(() -> c.linear(sa, rows, lin1, biasF, Activation.GELU, null, hid)));
            report("lin1 alone", 2.0 * rows * h * f, () -> time(() -> c.linear(sa, rows, lin1, biasF, null, null, hid)));
            total += report("lin2 + residual", 2.0 * rows * h * f, () -> time(() -> c.linear(hid, rows, lin2, bias, null, sa, o)));
            report("lin2 alone", 2.0 * rows * h * f, () -> time(() -> c.linear(hid, rows, lin2, bias, null, null, o)));
            report("GELU alone", 0, () -> time(() -> c.activation(Activation.GELU, hid, hid.length)));
            total += report("LayerNorm", 0, () -> time(() -> c.layerNorm(o, o, rows, h, gamma, bias, 1e-12f)));
            System.out.printf(Locale.ROOT, "layer total %.3f ms -> %.0f tokens/s for 6 layers%n", total, rows / (6 * total / 1e3));
        }
    }

    /** Times one part and prints it; returns its milliseconds (the fused parts make up the layer's total). */
    static double report(String what, double flops, LongSupplier ns) {
        long t = ns.getAsLong();
        double ms = t / 1e6;
        System.out.printf(Locale.ROOT, "%-20s %8.3f ms %8.1f GFLOP/s%n", what, ms, flops / t);
        return ms;
    }

    /** With -Dcpu=true (1 thread only), the calling thread's CPU time: steadier on a shared machine. */
    static final boolean CPU = Boolean.getBoolean("cpu");
    static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    static long now() {
        return CPU ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    static long time(Runnable body) {
        long until = System.nanoTime() + 1_500_000_000L; // until the JIT has compiled it all
        for (int i = 0; i < 5 || System.nanoTime() < until; i++) body.run();
        long[] t = new long[15];
        for (int i = 0; i < t.length; i++) {
            long t0 = now();
            body.run();
            t[i] = now() - t0;
        }
        Arrays.sort(t);
        return t[t.length / 2];
    }

    static WeightMatrix w(SplittableRandom r, int n, int k) {
        return new WeightMatrix(FloatBuffer.wrap(rnd(r, n * k)), n, k);
    }

    static float[] rnd(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }
}
