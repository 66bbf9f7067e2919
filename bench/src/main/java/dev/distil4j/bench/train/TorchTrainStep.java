package dev.distil4j.bench.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PyTorch side: {@code shared/anchors/torch_train_step.py}, run as a subprocess per round
 * ({@code python3 torch_train_step.py --model M --threads T --batch B --seq S --steps N}), which
 * builds the model, takes 2 untimed steps, times N and prints the median as
 * {@code TORCH-TRAIN ... step_ms=... tok_s=...}. Run without {@code OPENBLAS_CORETYPE} and
 * {@code OPENBLAS_L2_SIZE}, as the script's docstring asks (they pin OpenBLAS to its AVX2 kernels).
 *
 * <p>{@link #profile} runs the same loop (importing the script's {@code Classifier}) with a clock
 * read between the parts of the step, for the breakdown table.
 */
final class TorchTrainStep {
    private static final Pattern TOK_S = Pattern.compile("\\btok_s=([0-9.]+)");
    private static final Pattern PHASE = Pattern.compile("\\b([a-z_]+)_ms=([0-9.]+)");

    private final String python;
    private final Path script;
    /** Why PyTorch cannot run (null: it can). */
    private final String unavailable;
    private final String version;

    private TorchTrainStep(String python, Path script, String unavailable, String version) {
        this.python = python;
        this.script = script;
        this.unavailable = unavailable;
        this.version = version;
    }

    /** PyTorch cannot run, for {@code why}. */
    static TorchTrainStep unavailable(String why) {
        return new TorchTrainStep(null, null, why, null);
    }

    /** Checks that the script is there and that {@code python} imports torch. */
    static TorchTrainStep probe(String python, Path script) {
        if (!Files.isRegularFile(script)) return new TorchTrainStep(python, script, "no " + script, null);
        try {
            Result r = exec(List.of(python, "-c", "import torch; print(torch.__version__)"));
            if (r.exit != 0) {
                String why = r.output.strip();
                int nl = why.lastIndexOf('\n');
                return new TorchTrainStep(python, script, python + " cannot import torch: " + (nl < 0 ? why : why.substring(nl + 1)), null);
            }
            return new TorchTrainStep(python, script, null, r.output.strip());
        } catch (IOException e) {
            return new TorchTrainStep(python, script, "cannot run " + python + ": " + e.getMessage(), null);
        }
    }

    boolean available() {
        return unavailable == null;
    }

    String unavailable() {
        return unavailable;
    }

    String version() {
        return version;
    }

    /** One round: returns the median step time in ns the script measured. */
    double round(String model, int threads, int batch, int seq, int steps) throws IOException {
        Result r = exec(List.of(python, script.toString(), "--model", model, "--threads", Integer.toString(threads),
                "--batch", Integer.toString(batch), "--seq", Integer.toString(seq), "--steps", Integer.toString(steps)));
        String line = r.output.lines().filter(l -> l.startsWith("TORCH-TRAIN ")).reduce((a, b) -> b).orElse(null);
        if (r.exit != 0 || line == null) {
            throw new IOException("torch_train_step.py failed (exit " + r.exit + "):\n" + r.output.strip());
        }
        Matcher m = TOK_S.matcher(line);
        if (!m.find()) throw new IOException("no tok_s in: " + line);
        return batch * (double) seq / Double.parseDouble(m.group(1)) * 1e9;
    }

    /** Median ms of each part of the step: zero_grad, forward (+ loss), backward, clip, adamw, step. */
    Map<String, Double> profile(String model, int threads, int batch, int seq, int steps) throws IOException {
        String code = """
                import sys, time, statistics
                sys.path.insert(0, sys.argv[1])
                import torch
                from torch import nn
                import torch_train_step as t
                model, threads, batch, seq, steps = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
                torch.set_num_threads(threads)
                torch.manual_seed(0)
                m = t.Classifier(model).train()
                opt = torch.optim.AdamW(m.parameters(), lr=2e-5, weight_decay=0.01)
                ids = torch.randint(1000, 30000, (batch, seq))
                mask = torch.ones(batch, seq, dtype=torch.long)
                labels = torch.randint(0, 2, (batch,))
                names = ("zero_grad", "forward", "backward", "clip", "adamw", "step")
                ph = {k: [] for k in names}
                for i in range(steps + 2):
                    c0 = time.perf_counter()
                    opt.zero_grad(set_to_none=True)
                    c1 = time.perf_counter()
                    loss = nn.functional.cross_entropy(m(ids, mask), labels)
                    c2 = time.perf_counter()
                    loss.backward()
                    c3 = time.perf_counter()
                    nn.utils.clip_grad_norm_(m.parameters(), 1.0)
                    c4 = time.perf_counter()
                    opt.step()
                    c5 = time.perf_counter()
                    if i >= 2:
                        for k, v in zip(names, (c1 - c0, c2 - c1, c3 - c2, c4 - c3, c5 - c4, c5 - c0)):
                            ph[k].append(v)
                print("TORCH-PROFILE " + " ".join(f"{k}_ms={statistics.median(ph[k]) * 1e3:.3f}" for k in names), flush=True)
                """;
        Result r = exec(List.of(python, "-c", code, script.getParent().toString(), model, Integer.toString(threads),
                Integer.toString(batch), Integer.toString(seq), Integer.toString(steps)));
        String line = r.output.lines().filter(l -> l.startsWith("TORCH-PROFILE ")).reduce((a, b) -> b).orElse(null);
        if (r.exit != 0 || line == null) throw new IOException("the PyTorch profile failed (exit " + r.exit + "):\n" + r.output.strip());
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = PHASE.matcher(line);
        while (m.find()) out.put(m.group(1), Double.parseDouble(m.group(2)));
        return out;
    }

    private record Result(int exit, String output) {}

    /** Runs {@code command} to its end (no time limit: a bert-base round on one thread takes minutes). */
    private static Result exec(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        pb.environment().remove("OPENBLAS_CORETYPE");
        pb.environment().remove("OPENBLAS_L2_SIZE");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes(); // until the process closes its output, i.e. ends
        }
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
