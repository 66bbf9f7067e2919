package dev.distil4j.bench.train;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Gemm;
import dev.distil4j.kernels.Kernels;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The three products of a training step alone ({@link Gemm#nt}, {@link Gemm#nn}, {@link Gemm#tnAdd}),
 * at the shapes of a BERT-base layer: GFLOP/s, median of {@code --reps} after warm-up. For tuning the
 * kernels' blocking; the step itself is timed by {@link TrainBench}.
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp bench/target/distil4j-bench.jar dev.distil4j.bench.train.GemmBench [rows] [threads] [reps]
 * </pre>
 */
public final class GemmBench {
    private GemmBench() {}

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        // (in, out) of q/k/v stacked, out_lin, lin1, lin2
        int[][] shapes = {{768, 2304}, {768, 768}, {768, 3072}, {3072, 768}};
        SplittableRandom rnd = new SplittableRandom(1);
        try (Compute compute = new Compute(Kernels.best(), threads)) {
            Gemm gemm = new Gemm(compute);
            System.out.printf(Locale.ROOT, "kernels %s, %d threads, %d rows%n", compute.kernels().name(), threads, rows);
            System.out.println("| in x out | nt GFLOP/s | nn GFLOP/s | tnAdd GFLOP/s |");
            System.out.println("|---|---|---|---|");
            for (int[] s : shapes) {
                int in = s[0], out = s[1];
                float[] x = random(rnd, rows * in), w = random(rnd, out * in), dy = random(rnd, rows * out);
                float[] y = new float[rows * out], dx = new float[rows * in], dw = new float[out * in];
                double flops = 2.0 * rows * in * out;
                double nt = gflops(flops, reps, () -> gemm.nt(x, rows, in, w, out, null, y));
                double nn = gflops(flops, reps, () -> gemm.nn(dy, rows, out, w, in, dx));
                double tn = gflops(flops, reps, () -> gemm.tnAdd(dy, rows, out, x, in, dw));
                System.out.printf(Locale.ROOT, "| %d x %d | %.0f | %.0f | %.0f |%n", in, out, nt, nn, tn);
            }
        }
    }

    private static double gflops(double flops, int reps, Runnable product) {
        for (int i = 0; i < 10; i++) product.run();
        double[] secs = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            product.run();
            secs[i] = (System.nanoTime() - t) / 1e9;
        }
        Arrays.sort(secs);
        return flops / secs[reps / 2] / 1e9;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() - 0.5);
        return a;
    }
}
