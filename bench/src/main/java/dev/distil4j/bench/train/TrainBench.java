package dev.distil4j.bench.train;

import dev.distil4j.bench.encoder.EncoderBench;
import dev.distil4j.bench.encoder.EncoderBench.Stats;
import dev.distil4j.bench.encoder.Quiesce;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.model.ModelInput;
import dev.distil4j.train.loss.Loss;
import dev.distil4j.train.loss.Losses;
import dev.distil4j.train.nn.Dropouts;
import dev.distil4j.train.nn.TrainableModel;
import dev.distil4j.train.optim.AdamW;
import dev.distil4j.train.optim.GradientClipping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code ./distil4j bench-train}: fine-tuning steps of a sequence classifier, distil4j's training
 * engine against PyTorch, on the DistilBERT-base and BERT-base shapes (random weights), per
 * thread count and batch x length cell.
 *
 * <p>A step, on both sides: zero the gradients, forward in training mode (dropout 0.1 everywhere),
 * cross-entropy over 2 labels, backward, {@code clip_grad_norm(1.0)}, AdamW (lr 2e-5, weight
 * decay 0.01). Per cell the engines alternate, distil4j, PyTorch, distil4j, PyTorch... for
 * {@code --rounds} rounds each: a round is {@code --warmup} untimed steps and then {@code --steps}
 * timed ones, whose median is the round's time (PyTorch: {@code shared/anchors/torch_train_step.py}
 * in a subprocess, which builds its model, takes 2 untimed steps and reports the median of the
 * timed ones). Before each round this waits until the JVM's own threads are idle ({@link Quiesce});
 * a PyTorch round has ended (its process exited) before distil4j's next one starts. The cell's time
 * is the median of its rounds; tokens/s = batch x seq / step time.
 *
 * <pre>
 *   ./distil4j bench-train                                         the grid: distilbert-base, bert-base x threads 1, 2 x 32x32, 16x128
 *   ./distil4j bench-train --models distilbert-base --threads 2 --batch 32 --seq 32 --steps 5    one cell
 *   ./distil4j bench-train ... --profile                           also the time of each part of the step, both engines
 *   ./distil4j bench-train ... --no-torch                          distil4j alone
 * </pre>
 */
public final class TrainBench {
    static final String DEFAULT_SHAPES = "32x32,16x128";
    static final String PARTS_HELP = "zero_grad, forward (+ loss), backward, clip, adamw";

    record Cell(int batch, int seq) {}

    /** One distil4j round: every timed step's total and the time of each part, in ns. */
    record Round(List<Long> steps, Map<String, List<Long>> parts, float lastLoss, double lastGradNorm) {}

    private TrainBench() {}

    public static void main(String[] argv) throws Exception {
        Args a = Args.parse(argv);
        Path work = a.workDir();
        TorchTrainStep torch;
        if (a.noTorch) {
            torch = null;
        } else {
            // ../shared beside the project root, as ./distil4j bench finds it (-Ddistil4j.shared, --shared)
            torch = TorchTrainStep.probe(a.python, Path.of(a.sharedPath()).resolve("anchors/torch_train_step.py"));
        }
        System.out.printf("# distil4j training-speed benchmark: %s, %d cores, Java %s, kernels %s, max heap %d MB, PyTorch %s%n",
                EncoderBench.cpuModel(), Runtime.getRuntime().availableProcessors(), Runtime.version(), Kernels.best().name(),
                Runtime.getRuntime().maxMemory() >> 20,
                torch == null ? "not run (--no-torch)" : torch.available() ? torch.version() : "NA (" + torch.unavailable() + ")");
        System.out.printf(Locale.ROOT, "# step: zero_grad + forward (train mode, dropout 0.1) + cross-entropy + backward + clip_grad_norm(1.0) "
                + "+ AdamW(lr %.0e, weight decay 0.01); %d rounds x (%d warm-up + %d timed steps) per engine and cell, alternating; "
                + "load average at start: %s%n", a.lr, a.rounds, a.warmup, a.steps, loadAverage());
        if (a.steps < 5) System.out.println("# note: fewer than 5 timed steps per round (--steps " + a.steps + "): medians are rough");

        List<String> lines = new ArrayList<>(), notes = new ArrayList<>(), profile = new ArrayList<>();
        StringBuilder table = new StringBuilder();
        table.append("| model | threads | batch x seq | distil4j ms/step, median (min-max of steps) | distil4j tok/s | distil4j GFLOP/s "
                + "| torch ms/step, median (min-max of rounds) | torch tok/s | torch GFLOP/s | ratio | rounds x steps |\n");
        table.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        if (a.profile) {
            profile.add("| model | threads | batch x seq | engine | zero_grad ms | forward+loss ms | backward ms | clip ms | AdamW ms | step ms |");
            profile.add("|---|---|---|---|---|---|---|---|---|---|");
        }
        for (String id : a.models) {
            RandomClassifier.Shape shape = RandomClassifier.Shape.of(id);
            Path dir = RandomClassifier.ensure(work, shape, a.seed);
            for (int threads : a.threads) {
                try (Compute compute = new Compute(Kernels.best(), threads)) {
                    long t0 = System.nanoTime();
                    TrainableModel model = TrainableModel.load(dir, TrainableModel.Options.defaults()
                            .withHead(HeadType.SEQUENCE_CLASSIFICATION).withCompute(compute).withDropouts(Dropouts.all(0.1f)));
                    try {
                        AdamW adam = new AdamW(model.parameters(), AdamW.Config.defaults().withWeightDecay(a.weightDecay));
                        System.out.printf(Locale.ROOT, "# %s, %d threads: loaded in %.1f s, %d parameter tensors, %.1f M parameters%n",
                                id, threads, (System.nanoTime() - t0) / 1e9, model.parameters().size(),
                                RandomClassifier.parameterCount(shape) / 1e6);
                        for (Cell c : a.cells) {
                            String line = cell(model, adam, torch, id, threads, c, a, table, notes, profile);
                            lines.add(line);
                            System.out.println(line); // as it comes; all of them again at the end
                        }
                    } finally {
                        model.close();
                    }
                }
            }
        }
        System.out.println();
        System.out.print(table);
        System.out.println();
        notes.forEach(System.out::println);
        if (a.profile) {
            System.out.println();
            System.out.println("Median time of each part of the step (distil4j: every timed step of every round; torch: one extra "
                    + "run of the same loop with a clock read between the parts):");
            System.out.println();
            profile.forEach(System.out::println);
        }
        System.out.println();
        System.out.println("# load average at end: " + loadAverage());
        lines.forEach(System.out::println);
    }

    static String cell(TrainableModel model, AdamW adam, TorchTrainStep torch, String id, int threads, Cell c, Args a,
                       StringBuilder table, List<String> notes, List<String> profile) throws Exception {
        ModelConfig cfg = model.config();
        boolean distil = id.equals("distilbert-base");
        SplittableRandom r = new SplittableRandom(a.seed * 7919 + 31L * c.batch + c.seq);
        int[][] ids = new int[c.batch][c.seq], mask = new int[c.batch][c.seq];
        int[] labels = new int[c.batch];
        for (int b = 0; b < c.batch; b++) {
            for (int i = 0; i < c.seq; i++) ids[b][i] = 1000 + r.nextInt(30000 - 1000);
            Arrays.fill(mask[b], 1);
            labels[b] = r.nextInt(2);
        }
        ModelInput input = new ModelInput(ids, mask, distil ? null : new int[c.batch][c.seq]);

        List<Long> mineSteps = new ArrayList<>();
        List<Double> mineRounds = new ArrayList<>(), torchRounds = new ArrayList<>();
        Map<String, List<Long>> parts = new LinkedHashMap<>();
        String torchNote = null;
        float loss = Float.NaN;
        double gradNorm = Double.NaN;
        long[] stepSeed = {a.seed * 1_000_003L};
        for (int round = 0; round < a.rounds; round++) {
            Quiesce.await();
            Round mine = distil4jRound(model, adam, input, labels, a, stepSeed);
            mineSteps.addAll(mine.steps);
            mineRounds.add(Stats.of(mine.steps).medianNs());
            mine.parts.forEach((k, v) -> parts.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            loss = mine.lastLoss;
            gradNorm = mine.lastGradNorm;
            if (torch != null && torch.available() && torchNote == null) {
                Quiesce.await();
                try {
                    torchRounds.add(torch.round(id, threads, c.batch, c.seq, a.steps));
                } catch (IOException e) {
                    torchNote = e.getMessage();
                }
            }
        }
        double mineNs = median(mineRounds);
        Stats mineSpread = Stats.of(mineSteps);
        int tokens = c.batch * c.seq;
        double mineTok = tokens / (mineNs / 1e9);
        double flops = 3 * EncoderBench.flops(cfg, c.batch, c.seq); // forward + backward (2x the forward's products)
        String torchCol, torchTok, ratio, torchLine;
        if (!torchRounds.isEmpty()) {
            double torchNs = median(torchRounds);
            double tt = tokens / (torchNs / 1e9);
            torchCol = String.format(Locale.ROOT, "%.1f (%.1f-%.1f) | %.0f | %.1f", torchNs / 1e6,
                    torchRounds.stream().mapToDouble(Double::doubleValue).min().orElseThrow() / 1e6,
                    torchRounds.stream().mapToDouble(Double::doubleValue).max().orElseThrow() / 1e6, tt, flops / torchNs);
            torchTok = String.format(Locale.ROOT, "%.1f", tt);
            ratio = String.format(Locale.ROOT, "%.3f", mineTok / tt);
        } else {
            torchCol = "NA | NA | NA";
            torchTok = "NA";
            ratio = "NA";
            String why = torch == null ? "not run (--no-torch)" : !torch.available() ? torch.unavailable() : torchNote;
            notes.add(String.format("%s, %d threads, %d x %d: torch_tok_s=NA: %s", id, threads, c.batch, c.seq, why));
        }
        table.append(String.format(Locale.ROOT, "| %s | %d | %d x %d | %.1f (%.1f-%.1f) | %.0f | %.1f | %s | %s | %d x %d |%n",
                id, threads, c.batch, c.seq, mineNs / 1e6, mineSpread.minNs() / 1e6, mineSpread.maxNs() / 1e6, mineTok,
                flops / mineNs, torchCol, ratio, a.rounds, a.steps));
        notes.add(String.format(Locale.ROOT, "%s, %d threads, %d x %d: distil4j round medians %s; torch round medians %s; "
                        + "distil4j's last loss %.4f, gradient norm before clipping %.3f",
                id, threads, c.batch, c.seq, ms(mineRounds), torchRounds.isEmpty() ? "NA" : ms(torchRounds), loss, gradNorm));
        if (a.profile) {
            List<String> names = List.of("zero_grad", "forward", "backward", "clip", "adamw", "step");
            StringBuilder row = new StringBuilder(String.format("| %s | %d | %d x %d | distil4j |", id, threads, c.batch, c.seq));
            for (String n : names) {
                double v = n.equals("forward") ? Stats.of(sum(parts.get("forward"), parts.get("loss"))).medianNs() / 1e6
                        : Stats.of(parts.get(n)).medianNs() / 1e6;
                row.append(String.format(Locale.ROOT, " %.1f |", v));
            }
            profile.add(row.toString());
            if (torch != null && torch.available()) {
                Quiesce.await();
                try {
                    Map<String, Double> tp = torch.profile(id, threads, c.batch, c.seq, a.steps);
                    StringBuilder trow = new StringBuilder(String.format("| %s | %d | %d x %d | torch |", id, threads, c.batch, c.seq));
                    for (String n : names) trow.append(String.format(Locale.ROOT, " %.1f |", tp.getOrDefault(n, Double.NaN)));
                    profile.add(trow.toString());
                } catch (IOException e) {
                    profile.add(String.format("| %s | %d | %d x %d | torch | NA (%s) |", id, threads, c.batch, c.seq,
                            e.getMessage().lines().findFirst().orElse("")));
                }
            }
        }
        return String.format(Locale.ROOT, "TRAIN-BENCH model=%s threads=%d batch=%d seq=%d distil4j_tok_s=%.1f torch_tok_s=%s ratio=%s",
                id, threads, c.batch, c.seq, mineTok, torchTok, ratio);
    }

    /** {@code warmup} untimed steps, then {@code steps} timed ones, each part timed. */
    static Round distil4jRound(TrainableModel model, AdamW adam, ModelInput input, int[] labels, Args a, long[] stepSeed) {
        List<Long> steps = new ArrayList<>();
        Map<String, List<Long>> parts = new LinkedHashMap<>();
        for (String n : List.of("zero_grad", "forward", "loss", "backward", "clip", "adamw", "step")) parts.put(n, new ArrayList<>());
        float loss = Float.NaN;
        double norm = Double.NaN;
        int batch = input.batchSize();
        for (int s = 0; s < a.warmup + a.steps; s++) {
            long c0 = System.nanoTime();
            model.zeroGrad();
            long c1 = System.nanoTime();
            TrainableModel.Output out = model.forward(input, TrainableModel.Mode.train(stepSeed[0]++));
            long c2 = System.nanoTime();
            Loss l = Losses.crossEntropy(out.logits(), batch, 2, labels, Losses.IGNORE_INDEX);
            long c3 = System.nanoTime();
            model.backward(l.grad(), null);
            long c4 = System.nanoTime();
            norm = GradientClipping.clip(model.parameters(), 1.0, model.compute());
            long c5 = System.nanoTime();
            adam.step(a.lr, model.compute());
            long c6 = System.nanoTime();
            loss = l.value();
            if (s >= a.warmup) {
                steps.add(c6 - c0);
                parts.get("zero_grad").add(c1 - c0);
                parts.get("forward").add(c2 - c1);
                parts.get("loss").add(c3 - c2);
                parts.get("backward").add(c4 - c3);
                parts.get("clip").add(c5 - c4);
                parts.get("adamw").add(c6 - c5);
                parts.get("step").add(c6 - c0);
            }
        }
        if (!Float.isFinite(loss)) throw new IllegalStateException("the loss is " + loss + " after " + adam.steps() + " steps");
        return new Round(steps, parts, loss, norm);
    }

    private static List<Long> sum(List<Long> x, List<Long> y) {
        List<Long> out = new ArrayList<>(x.size());
        for (int i = 0; i < x.size(); i++) out.add(x.get(i) + y.get(i));
        return out;
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String ms(List<Double> ns) {
        StringBuilder b = new StringBuilder();
        for (double v : ns) b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", v / 1e6));
        return b.append(" ms").toString();
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static final class Args {
        List<String> models = List.of("distilbert-base", "bert-base");
        List<Integer> threads = List.of(1, 2);
        List<Cell> cells = parseCells(DEFAULT_SHAPES);
        int steps = 5, warmup = 2, rounds = 2;
        long seed = 42;
        double lr = 2e-5, weightDecay = 0.01;
        String python = "/usr/bin/python3";
        String sharedDir, workDirName;
        boolean profile, noTorch;

        static Args parse(String[] argv) {
            Args a = new Args();
            Integer batch = null, seq = null;
            for (int i = 0; i < argv.length; i++) {
                String k = argv[i];
                switch (k) {
                    case "--profile" -> {
                        a.profile = true;
                        continue;
                    }
                    case "--no-torch" -> {
                        a.noTorch = true;
                        continue;
                    }
                    case "-h", "--help" -> {
                        System.out.println("""
                                usage: distil4j bench-train [--models distilbert-base,bert-base] [--threads 1,2]
                                                            [--batch B --seq T | --shapes 32x32,16x128]
                                                            [--steps 5] [--warmup 2] [--rounds 2] [--profile] [--no-torch]
                                                            [--seed 42] [--python /usr/bin/python3] [--shared ../shared] [--work-dir DIR]
                                  a step: zero_grad + forward (dropout 0.1) + cross-entropy + backward + clip_grad_norm(1.0) + AdamW
                                  per cell: distil4j and PyTorch (shared/anchors/torch_train_step.py) alternate, --rounds each,
                                  a round = --warmup untimed + --steps timed steps; the cell's time is the median of the round medians
                                  --profile: also the median time of each part of the step (%s), both engines
                                  prints a table and one line per cell:
                                  TRAIN-BENCH model=M threads=T batch=B seq=S distil4j_tok_s=X torch_tok_s=Y ratio=X/Y""".formatted(PARTS_HELP));
                        System.exit(0);
                    }
                    default -> { }
                }
                if (i + 1 >= argv.length) throw new IllegalArgumentException(k + " needs a value");
                String v = argv[++i];
                switch (k) {
                    case "--models", "--model" -> a.models = List.of(v.split(","));
                    case "--threads" -> a.threads = Arrays.stream(v.split(",")).map(String::trim).map(Integer::valueOf).toList();
                    case "--batch" -> batch = Integer.valueOf(v);
                    case "--seq" -> seq = Integer.valueOf(v);
                    case "--shapes" -> a.cells = parseCells(v);
                    case "--steps" -> a.steps = Integer.parseInt(v);
                    case "--warmup" -> a.warmup = Integer.parseInt(v);
                    case "--rounds" -> a.rounds = Integer.parseInt(v);
                    case "--seed" -> a.seed = Long.parseLong(v);
                    case "--python" -> a.python = v;
                    case "--shared" -> a.sharedDir = v;
                    case "--work-dir" -> a.workDirName = v;
                    default -> throw new IllegalArgumentException("unknown option " + k + " (try --help)");
                }
            }
            if ((batch == null) != (seq == null)) throw new IllegalArgumentException("--batch and --seq go together");
            if (batch != null) a.cells = List.of(new Cell(batch, seq));
            for (String m : a.models) RandomClassifier.Shape.of(m); // fails early on an unknown name
            if (a.steps < 1 || a.rounds < 1 || a.warmup < 0) throw new IllegalArgumentException("--steps and --rounds >= 1, --warmup >= 0");
            for (Cell c : a.cells) {
                if (c.batch < 1 || c.seq < 1 || c.seq > RandomClassifier.POSITIONS) {
                    throw new IllegalArgumentException("batch >= 1 and 1 <= seq <= " + RandomClassifier.POSITIONS + ", not " + c.batch + "x" + c.seq);
                }
            }
            for (int t : a.threads) if (t < 1) throw new IllegalArgumentException("--threads: at least 1, not " + t);
            return a;
        }

        static List<Cell> parseCells(String s) {
            List<Cell> out = new ArrayList<>();
            for (String p : s.split(",")) {
                String[] bt = p.trim().split("x");
                if (bt.length != 2) throw new IllegalArgumentException("a shape is BATCHxSEQ, not " + p);
                out.add(new Cell(Integer.parseInt(bt[0].trim()), Integer.parseInt(bt[1].trim())));
            }
            return out;
        }

        String sharedPath() {
            return sharedDir != null ? sharedDir : System.getProperty("distil4j.shared", "../shared");
        }

        Path workDir() {
            String s = workDirName != null ? workDirName
                    : System.getProperty("distil4j.bench.train.dir", System.getProperty("java.io.tmpdir") + "/distil4j-bench-train");
            return Path.of(s);
        }
    }
}
