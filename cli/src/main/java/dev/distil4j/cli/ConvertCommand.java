package dev.distil4j.cli;

import dev.distil4j.convert.Converter;
import dev.distil4j.source.SourceSettings;
import dev.distil4j.weights.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code distil4j convert}: any model source to a Hugging Face directory with model.safetensors. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Converts any model source to a Hugging Face directory with model.safetensors.",
                "Reads a directory (safetensors, pytorch_model.bin, Google BERT TF checkpoint), a hub id, an alias or "
                        + "maven:group:artifact:version; writes model.safetensors, config.json and the tokenizer files, "
                        + "which transformers loads. f16/bf16 round to nearest even, as tensor.to(torch.float16 / bfloat16)."})
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "SRC",
            description = "Model directory, hub id (org/name[@revision]), alias or maven:group:artifact:version.")
    String model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New output directory (must not exist or be empty).")
    Path out;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f16|bf16",
            description = "Element type of the written weights (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final SourceSettings settings;

    ConvertCommand() {
        this(null);
    }

    ConvertCommand(SourceSettings settings) {
        this.settings = settings;
    }

    @Override
    public Integer call() {
        DType type = Converter.parseDtype(dtype);
        SourceSettings s = settings != null ? settings : SourceSettings.fromEnvironment();
        Path dir = ModelSpecs.resolve(s, model, spec.commandLine().getErr());
        Converter.Result r = Converter.convert(dir, out, type);
        var w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s: %d tensors as %s, %.1f MB%n", r.directory().resolve("model.safetensors"), r.tensors(),
                type, r.bytes() / 1e6);
        if (!r.copiedFiles().isEmpty()) w.println("copied: config.json, " + String.join(", ", r.copiedFiles()));
        if (!r.skipped().isEmpty()) w.println("left out (not float weights): " + String.join(", ", r.skipped()));
        w.flush();
        return 0;
    }
}
