package dev.distil4j.cli;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.train.distill.MlmEvaluator;
import dev.distil4j.train.metrics.Metrics;
import dev.distil4j.train.trainer.Evaluator;
import dev.distil4j.train.trainer.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code distil4j evaluate}: the metrics {@code train} reports, on any labelled file, printed as one JSON
 * object on the last line of stdout. A thin wrapper of {@link Evaluator}.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scores a fine-tuned model on a labelled file with its task's metrics, printed as one JSON object "
                + "on the last line of stdout, e.g. {\"accuracy\":0.9128,\"f1\":0.9137,\"mcc\":0.8251,\"examples\":872}.",
                "text-classification: accuracy, f1 (binary, or macro), mcc; regression: pearson, spearmanr, mse; "
                        + "token-classification: entity-level precision, recall, f1 (seqeval), accuracy; "
                        + "question-answering: exact_match and f1 (SQuAD v1.1), or the v2.0 script's keys when the file has "
                        + "unanswerable questions; fill-mask (an MLM model on plain text, one sequence per line): mlm_accuracy "
                        + "(top-1 at 15% of the tokens, drawn from --seed and all masked) and mlm_loss."})
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME|DIR", description = "A fine-tuned model: directory, hub id or alias.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Labelled data, in the formats train reads.")
    Path dataFile;

    @Option(names = "--task", paramLabel = "TASK", description = "The model's task (or fill-mask). Default: from its config.json "
            + "(architectures and problem_type).")
    String task;

    @Mixin
    DataOptions data;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8", description = "Sequences per forward pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "Compute threads. Default: every core.")
    int threads;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "fill-mask: which positions are masked "
            + "(the same seed scores two models on the same positions). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Spec
    CommandSpec spec;

    private final OutputStream out;

    EvaluateCommand() {
        this(System.in, System.out);
    }

    EvaluateCommand(InputStream in, OutputStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        TrainCommand.requireFile(dataFile, "--data");
        if (batchSize < 1) throw new UserException("--batch-size must be at least 1, got " + batchSize);
        PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        if ("fill-mask".equals(task)) {
            int maxLength = data.toArguments(null).maxLength();
            try (Compute compute = new Compute(Kernels.best(), threads > 0 ? threads : Runtime.getRuntime().availableProcessors())) {
                MlmEvaluator.Result r = MlmEvaluator.evaluate(ModelLocator.resolve(model), List.of(dataFile),
                        maxLength > 0 ? maxLength : 128, batchSize, seed, compute);
                stdout.println(Metrics.toJson(r.toMap()));
            }
            return 0;
        }
        Task t = task == null ? null : Task.parse(task);
        Evaluator.Result r = Evaluator.run(ModelLocator.resolve(model), dataFile, t, data.toArguments(null), batchSize, threads);
        DataOptions.reportSkipped(err, "evaluate", r.skipped());
        stdout.println(Metrics.toJson(r.metrics()));
        stdout.flush();
        return 0;
    }
}
