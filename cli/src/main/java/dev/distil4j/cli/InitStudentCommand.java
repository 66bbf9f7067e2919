package dev.distil4j.cli;

import dev.distil4j.convert.StudentInit;
import dev.distil4j.source.SourceSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code distil4j init-student}: the DistilBERT authors' student initialisation from a BERT teacher. */
@Command(name = "init-student", mixinStandardHelpOptions = true,
        description = {"Initialises a DistilBERT student from a BERT teacher.",
                "As the DistilBERT authors did: embeddings (without token types), the chosen teacher layers, the MLM "
                        + "head; written as DistilBertForMaskedLM (model.safetensors, config.json, tokenizer files)."})
final class InitStudentCommand implements Callable<Integer> {
    @Option(names = "--teacher", required = true, paramLabel = "SRC",
            description = "BERT teacher: directory, hub id, alias (bert-base-uncased) or maven:group:artifact:version.")
    String teacher;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New output directory (must not exist or be empty).")
    Path out;

    @Option(names = "--layers", defaultValue = "0,2,4,7,9,11", paramLabel = "L,L,...",
            description = "Teacher layer for each student layer (default: ${DEFAULT-VALUE}).")
    String layers;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final SourceSettings settings;

    InitStudentCommand() {
        this(null);
    }

    InitStudentCommand(SourceSettings settings) {
        this.settings = settings;
    }

    @Override
    public Integer call() {
        List<Integer> ls = StudentInit.parseLayers(layers);
        SourceSettings s = settings != null ? settings : SourceSettings.fromEnvironment();
        Path dir = ModelSpecs.resolve(s, teacher, spec.commandLine().getErr());
        StudentInit.Result r = StudentInit.fromTeacher(dir, out, ls);
        var w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "wrote %s: %d-layer DistilBERT from teacher layers %s, %d tensors, %.1f MB%n",
                r.directory(), ls.size(), ls.stream().map(String::valueOf).collect(Collectors.joining(",")), r.tensors(),
                r.bytes() / 1e6);
        w.flush();
        return 0;
    }
}
