package dev.distil4j.bench.encoder;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.Precision;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.Weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code ./distil4j bench}: distil4j against ONNX Runtime in the same JVM, on the same weights,
 * over a grid of thread counts and batch x length shapes. Per cell: warm-up, then at least
 * {@code --runs} timed runs of each engine, alternating, each after the other engine's threads have
 * gone idle ({@link Quiesce}) and one untimed run of its own, and more while {@code --budget-s} lasts;
 * median and min-max, tokens/s, GFLOP/s, the ratio distil4j/ORT (of medians, and of the fastest
 * runs, which other processes on the machine disturb least) and the largest difference between
 * the two engines' outputs.
 *
 * <pre>
 *   ./distil4j bench                                   the whole grid (DistilBERT-base random + all-MiniLM-L6-v2)
 *   ./distil4j bench --threads 2 --batch 8 --seq 128   one cell
 *   ./distil4j bench --precision bf16                  distil4j with bfloat16 weights (int8: int8 weights) against ORT float32
 *   ./distil4j bench --load-only                       load time and peak RSS of distil4j alone
 *   ./distil4j bench --model-dir DIR --graph NAME      other weights (NAME.graph.onnx in ../shared/onnx)
 * </pre>
 */
public final class EncoderBench {
    static final String DEFAULT_SHAPES = "1x16,1x128,8x128,32x16,8x512";

    record Target(String name, Path dir, String graph) {}

    record Shape(int batch, int seq) {}

    /** One forward pass of an engine. */
    @FunctionalInterface
    interface Engine {
        void run() throws Exception;
    }

    /** Median, min and max of a set of timings (also used by the training benchmark). */
    public record Stats(double medianNs, double minNs, double maxNs, int runs) {
        public static Stats of(List<Long> ns) {
            long[] a = ns.stream().mapToLong(Long::longValue).sorted().toArray();
            double median = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2.0;
            return new Stats(median, a[0], a[a.length - 1], a.length);
        }
    }

    private EncoderBench() {}

    public static void main(String[] args) throws Exception {
        Args a = Args.parse(args);
        Path shared = a.shared();
        Path work = a.workDir();
        List<Target> targets = new ArrayList<>();
        if (a.modelDir != null) {
            targets.add(new Target(a.modelDir.getFileName().toString(), a.modelDir, a.graph));
        } else {
            for (String m : a.models) {
                switch (m) {
                    case "distilbert-random" -> targets.add(new Target("distilbert-base (random, seed " + a.seed + ")",
                            RandomDistilBert.ensure(work, a.seed), "distilbert-base"));
                    case "minilm" -> targets.add(new Target("all-MiniLM-L6-v2", shared.resolve("real/all-MiniLM-L6-v2"), "all-MiniLM-L6-v2"));
                    default -> throw new IllegalArgumentException("unknown model " + m + " (distilbert-random, minilm)");
                }
            }
        }
        if (a.loadOnly) {
            loadOnly(targets.get(0), a);
            return;
        }
        printEnvironment();
        List<String> benchLines = new ArrayList<>();
        for (Target t : targets) runTarget(t, shared, a, benchLines);
        System.out.println();
        benchLines.forEach(System.out::println);
    }

    static void printEnvironment() {
        System.out.printf("# distil4j encoder benchmark: %s, %d cores, Java %s, kernels %s, ONNX Runtime %s%n",
                cpuModel(), Runtime.getRuntime().availableProcessors(), Runtime.version(), Kernels.best().name(),
                ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion());
    }

    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** Multiply-adds x 2 of one forward pass: the Linear layers plus the two attention products. */
    public static double flops(ModelConfig c, int batch, int seq) {
        double h = c.hiddenSize(), f = c.intermediateSize(), rows = (double) batch * seq;
        double perLayer = 2 * rows * (4 * h * h + 2 * h * f) + 2 * 2 * batch * (double) seq * seq * h;
        return c.numLayers() * perLayer;
    }

    static void runTarget(Target t, Path shared, Args a, List<String> benchLines) throws Exception {
        Path graphOnnx = shared.resolve("onnx/" + t.graph + ".graph.onnx"), graphJson = shared.resolve("onnx/" + t.graph + ".graph.json");
        Path weights = t.dir.resolve("model.safetensors");
        System.out.printf("%n## %s (%s; ORT graph %s; distil4j weights %s)%n%n", t.name, t.dir, t.graph, a.precision);
        System.out.println("| threads | batch x seq | distil4j ms, median (min-max) | distil4j tok/s | distil4j GFLOP/s "
                + "| ORT ms, median (min-max) | ORT tok/s | ORT GFLOP/s | ratio | ratio of mins | max abs diff | runs |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<String> waits = new ArrayList<>();
        for (int threads : a.threads) {
            try (Compute compute = new Compute(Kernels.best(), threads);
                 Model model = Model.load(t.dir, Model.Options.defaults().withHead(HeadType.NONE).withCompute(compute)
                         .withPrecision(a.precision));
                 OrtEncoder ort = new OrtEncoder(graphOnnx, graphJson, weights, threads)) {
                for (Shape s : a.shapes) {
                    String line = cell(model, ort, threads, s, a, t.name, waits);
                    benchLines.add(line);
                }
            }
        }
        System.out.println();
        waits.forEach(System.out::println);
    }

    static String cell(Model model, OrtEncoder ort, int threads, Shape s, Args a, String modelName, List<String> waits) throws Exception {
        ModelConfig c = model.config();
        int[][] ids = new int[s.batch][s.seq];
        SplittableRandom r = new SplittableRandom(a.seed + 31L * s.batch + s.seq);
        for (int[] row : ids) {
            for (int i = 0; i < row.length; i++) row[i] = 1000 + r.nextInt(c.vocabSize() - 1000);
            row[0] = 101;
            row[row.length - 1] = 102;
        }
        ModelInput input = ModelInput.of(ids);
        // warm-up; the first outputs of both are compared
        float[] mine = model.forward(input).lastHiddenState().data();
        float[] theirs = ort.forward(ids, null);
        double diff = 0;
        for (int i = 0; i < mine.length; i++) diff = Math.max(diff, Math.abs(mine[i] - theirs[i]));
        long warmEnd = System.nanoTime() + (long) (a.warmupSeconds * 1e9);
        for (int w = 1; w < a.warmup || System.nanoTime() < warmEnd; w++) {
            model.forward(input);
            ort.forward(ids, null);
            if (w > 50) break;
        }
        List<Long> d4j = new ArrayList<>(), onnx = new ArrayList<>();
        List<Long> waitAfterMine = new ArrayList<>(), waitAfterOrt = new ArrayList<>();
        Engine distil4j = () -> model.forward(input), onnxRuntime = () -> ort.forward(ids, null);
        boolean lastWasMine = false; // the warm-up ends with ORT
        long spent = 0;
        for (int run = 0; run < a.maxRuns && (run < a.runs || spent < a.budgetSeconds * 1e9); run++) {
            boolean mineFirst = run % 2 == 0;
            for (int e = 0; e < 2; e++) {
                // each engine timed as if it ran alone and without pause: first wait until the
                // other engine's workers are idle, then one untimed run to wake this engine's own
                // threads (after an idle pause a parked worker's CPU can take milliseconds to wake)
                boolean mineNow = (e == 0) == mineFirst;
                Engine engine = mineNow ? distil4j : onnxRuntime;
                (lastWasMine ? waitAfterMine : waitAfterOrt).add(Quiesce.await());
                engine.run();
                long t0 = System.nanoTime();
                engine.run();
                long t = System.nanoTime() - t0;
                (mineNow ? d4j : onnx).add(t);
                spent += t;
                lastWasMine = mineNow;
            }
        }
        Stats m = Stats.of(d4j), o = Stats.of(onnx);
        int tokens = s.batch * s.seq;
        double f = flops(c, s.batch, s.seq);
        double mineTok = tokens / (m.medianNs / 1e9), ortTok = tokens / (o.medianNs / 1e9);
        System.out.printf(Locale.ROOT, "| %d | %d x %d | %.2f (%.2f-%.2f) | %.0f | %.0f | %.2f (%.2f-%.2f) | %.0f | %.0f | %.3f | %.3f | %.1e | %d |%n",
                threads, s.batch, s.seq, m.medianNs / 1e6, m.minNs / 1e6, m.maxNs / 1e6, mineTok, f / m.medianNs,
                o.medianNs / 1e6, o.minNs / 1e6, o.maxNs / 1e6, ortTok, f / o.medianNs, mineTok / ortTok, o.minNs / m.minNs, diff, m.runs);
        waits.add(String.format(Locale.ROOT, "%d threads, %d x %d: waited for a quiet machine %.1f ms (median) after ORT, %.1f ms after distil4j",
                threads, s.batch, s.seq, Stats.of(waitAfterOrt).medianNs / 1e6, Stats.of(waitAfterMine).medianNs / 1e6));
        return String.format(Locale.ROOT, "BENCH threads=%d batch=%d seq=%d distil4j_tok_s=%.1f ort_tok_s=%.1f ratio=%.3f max_abs_diff=%.1e model=%s%s",
                threads, s.batch, s.seq, mineTok, ortTok, mineTok / ortTok, diff, modelName.replaceAll("[ ,()]+", "_").replaceAll("_$", ""),
                a.precision == Precision.FLOAT32 ? "" : " precision=" + (a.precision == Precision.BF16_WEIGHTS ? "bf16" : "int8"));
    }

    /** Load time (mmap + parse + pack) and peak RSS of distil4j alone, in this fresh JVM. */
    static void loadOnly(Target t, Args a) {
        long t0 = System.nanoTime();
        try (Weights w = Checkpoints.open(t.dir)) {
            System.out.printf(Locale.ROOT, "open (mmap + header): %.1f ms, %d tensors%n", (System.nanoTime() - t0) / 1e6, w.names().size());
        }
        int threads = a.threads.get(a.threads.size() - 1);
        try (Compute compute = new Compute(Kernels.best(), threads)) {
            long t1 = System.nanoTime();
            try (Model model = Model.load(t.dir, Model.Options.defaults().withHead(HeadType.NONE).withCompute(compute)
                    .withPrecision(a.precision))) {
                long t2 = System.nanoTime();
                System.out.printf(Locale.ROOT, "Model.load (mmap, config, pack weights, %d threads): %.1f ms%n", threads, (t2 - t1) / 1e6);
                int[][] ids = new int[1][16];
                Arrays.fill(ids[0], 1000);
                model.forward(ModelInput.of(ids));
                System.out.printf(Locale.ROOT, "first forward 1 x 16: %.1f ms%n", (System.nanoTime() - t2) / 1e6);
                System.out.println("peak RSS (VmHWM) after load + one forward: " + vm("VmHWM") + ", heap used "
                        + (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1 << 20) + " MB");
            }
        }
    }

    static String vm(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) return line.substring(key.length() + 1).trim();
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "n/a";
    }

    static final class Args {
        List<Integer> threads = List.of(1, 2);
        List<Shape> shapes = parseShapes(DEFAULT_SHAPES);
        List<String> models = List.of("distilbert-random", "minilm");
        Path modelDir;
        String graph = "distilbert-base";
        String sharedDir, workDirName;
        long seed = 42;
        int runs = 7, maxRuns = 60, warmup = 2;
        double warmupSeconds = 1.0, budgetSeconds = 5.0;
        boolean loadOnly;
        Precision precision = Precision.FLOAT32;

        static Args parse(String[] argv) {
            Args a = new Args();
            Integer batch = null, seq = null;
            for (int i = 0; i < argv.length; i++) {
                String k = argv[i];
                if (k.equals("--load-only")) {
                    a.loadOnly = true;
                    continue;
                }
                if (k.equals("-h") || k.equals("--help")) {
                    System.out.println("""
                            usage: distil4j bench [--threads 1,2] [--batch B --seq T | --shapes 1x16,8x128,...]
                                                  [--models distilbert-random,minilm | --model-dir DIR --graph NAME]
                                                  [--runs 7] [--max-runs 60] [--budget-s 5] [--warmup 2] [--warmup-s 1]
                                                  [--precision float32|bf16|int8] [--seed 42] [--shared ../shared]
                                                  [--work-dir DIR] [--load-only]""");
                    System.exit(0);
                }
                if (i + 1 >= argv.length) throw new IllegalArgumentException(k + " needs a value");
                String v = argv[++i];
                switch (k) {
                    case "--threads" -> a.threads = Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
                    case "--batch" -> batch = Integer.valueOf(v);
                    case "--seq" -> seq = Integer.valueOf(v);
                    case "--shapes" -> a.shapes = parseShapes(v);
                    case "--models" -> a.models = List.of(v.split(","));
                    case "--model-dir" -> a.modelDir = Path.of(v);
                    case "--graph" -> a.graph = v;
                    case "--runs" -> a.runs = Integer.parseInt(v);
                    case "--max-runs" -> a.maxRuns = Integer.parseInt(v);
                    case "--budget-s" -> a.budgetSeconds = Double.parseDouble(v);
                    case "--warmup" -> a.warmup = Integer.parseInt(v);
                    case "--warmup-s" -> a.warmupSeconds = Double.parseDouble(v);
                    case "--seed" -> a.seed = Long.parseLong(v);
                    case "--precision" -> a.precision = switch (v) {
                        case "float32", "fp32" -> Precision.FLOAT32;
                        case "bf16", "bfloat16" -> Precision.BF16_WEIGHTS;
                        case "int8" -> Precision.INT8_WEIGHTS;
                        default -> throw new IllegalArgumentException("--precision: float32, bf16 or int8, not " + v);
                    };
                    case "--shared" -> a.sharedDir = v;
                    case "--work-dir" -> a.workDirName = v;
                    default -> throw new IllegalArgumentException("unknown option " + k + " (try --help)");
                }
            }
            if ((batch == null) != (seq == null)) throw new IllegalArgumentException("--batch and --seq go together");
            if (batch != null) {
                a.shapes = List.of(new Shape(batch, seq));
                if (a.modelDir == null && !Arrays.asList(argv).contains("--models")) a.models = List.of("distilbert-random");
            }
            a.maxRuns = Math.max(a.maxRuns, a.runs);
            return a;
        }

        static List<Shape> parseShapes(String s) {
            List<Shape> out = new ArrayList<>();
            for (String p : s.split(",")) {
                String[] bt = p.trim().split("x");
                out.add(new Shape(Integer.parseInt(bt[0]), Integer.parseInt(bt[1])));
            }
            return out;
        }

        Path shared() {
            String s = sharedDir != null ? sharedDir : System.getProperty("distil4j.shared", "../shared");
            Path p = Path.of(s);
            if (!Files.isRegularFile(p.resolve("README.md"))) {
                throw new IllegalArgumentException("the reference data (shared/) is not at " + p.toAbsolutePath() + "; pass --shared DIR");
            }
            return p;
        }

        Path workDir() {
            String s = workDirName != null ? workDirName
                    : System.getProperty("distil4j.bench.dir", System.getProperty("java.io.tmpdir") + "/distil4j-bench");
            return Path.of(s);
        }
    }
}
