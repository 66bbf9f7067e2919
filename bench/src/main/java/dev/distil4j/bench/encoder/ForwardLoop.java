package dev.distil4j.bench.encoder;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * distil4j alone: {@code model.forward} in a loop on one input, then percentiles of the second half
 * of the runs. For A/B tests of JVM options, which need one JVM per side (alternate the JVMs and
 * compare several pairs: single runs move by 5-10% on a shared machine). With PAUSE_MS, each timed
 * forward follows a pause and one untimed forward, as in the bench.
 * {@code java --add-modules jdk.incubator.vector -cp distil4j-bench.jar dev.distil4j.bench.encoder.ForwardLoop
 * THREADS BATCH SEQ MODEL_DIR [RUNS [PAUSE_MS]]}
 */
public final class ForwardLoop {
    private ForwardLoop() {}

    public static void main(String[] args) throws InterruptedException {
        int threads = Integer.parseInt(args[0]), batch = Integer.parseInt(args[1]), seq = Integer.parseInt(args[2]);
        Path dir = Path.of(args[3]);
        int runs = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        int pauseMs = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        try (Compute compute = new Compute(Kernels.best(), threads);
             Model model = Model.load(dir, Model.Options.defaults().withCompute(compute))) {
            SplittableRandom r = new SplittableRandom(7);
            int[][] ids = new int[batch][seq];
            for (int[] row : ids) for (int i = 0; i < seq; i++) row[i] = 1000 + r.nextInt(model.config().vocabSize() - 1000);
            ModelInput input = ModelInput.of(ids);
            long[] t = new long[runs];
            for (int i = 0; i < 2 * runs; i++) { // the first half warms up the JIT
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs);
                    model.forward(input);
                }
                long t0 = System.nanoTime();
                model.forward(input);
                if (i >= runs) t[i - runs] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            System.out.printf(Locale.ROOT, "%d x %d, %d threads: median %.2f ms (p10 %.2f, p90 %.2f, min %.2f) -> %.0f tokens/s%n",
                    batch, seq, threads, ms(t[runs / 2]), ms(t[runs / 10]), ms(t[runs * 9 / 10]), ms(t[0]),
                    batch * seq / (t[runs / 2] / 1e9));
        }
    }

    private static double ms(long ns) {
        return ns / 1e6;
    }
}
