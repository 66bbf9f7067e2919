package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.TokenClassification;
import dev.distil4j.pipeline.TokenClassification.Aggregation;
import dev.distil4j.pipeline.TokenClassification.Entity;
import dev.distil4j.pipeline.TokenClassification.HfRequest;
import dev.distil4j.pipeline.TokenClassification.Options;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code distil4j ner}: Hugging Face's token-classification pipeline. One JSON line per input
 * record: the list of entities the Python pipeline returns for it.
 */
@Command(name = "ner", aliases = "token-classification", mixinStandardHelpOptions = true,
        description = {"Named entities (token classification), as Hugging Face's token-classification pipeline.",
                "Texts come as arguments, or one per record from --input / stdin: JSON lines ({\"text\": ...}, a string, or "
                        + "{\"inputs\": ..., \"parameters\": {...}}), CSV with a 'text' column, or plain lines.",
                "Prints one JSON line per record: its entities (offsets in code points, as Python)."})
final class NerCommand extends PipelineCommand {
    @Option(names = "--model", required = true, description = "Model directory (Hugging Face layout) or model id.")
    String model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "A tokenizer.json to use instead of the model directory's tokenizer files.")
    Path tokenizer;

    @Option(names = {"-a", "--aggregation"}, paramLabel = "STRATEGY", defaultValue = "none",
            description = "none (every token), simple, first, average or max (words and entity groups). Default: ${DEFAULT-VALUE}.")
    String aggregation;

    @Option(names = "--ignore-labels", paramLabel = "LABELS", split = ",",
            description = "Labels (or groups) to leave out, comma-separated; '' keeps all. Default: O.")
    List<String> ignoreLabels;

    @Option(names = "--stride", paramLabel = "N",
            description = "Split long texts into windows sharing N tokens instead of truncating them (not with --aggregation none).")
    Integer stride;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to analyse (otherwise records are read from --input or stdin).")
    List<String> texts = new ArrayList<>();

    NerCommand() {
        this(System.in, System.out);
    }

    NerCommand(InputStream in, OutputStream out) {
        super(in, out);
    }

    @Override
    public Integer call() {
        Options base = Options.defaults().withAggregation(Aggregation.parse(aggregation)).withStride(stride);
        if (ignoreLabels != null) base = base.withIgnoreLabels(ignoreLabels.stream().filter(l -> !l.isBlank()).toList());
        final Options options = base;
        PrintWriter err = spec.commandLine().getErr();
        try (InputRecords records = io.open(texts, in);
             PipelineModel pm = TaskModels.load(model, tokenizer);
             JsonLinesWriter w = io.output(out, records)) {
            TokenClassification ner = new TokenClassification(pm, io.batchSize);
            return RecordLoop.run("ner", records, io, err, r -> parse(r, options), batch -> run(ner, batch),
                    RecordLoop.jsonLines(w));
        }
    }

    /** A record: {@code text}, or an Inference API request {@code inputs} + {@code parameters} over the command's options. */
    static HfRequest parse(InputRecords.Record r, Options options) {
        if (r.has("inputs")) return HfRequest.parse(r.get("inputs"), r.get("parameters"), options);
        return new HfRequest(List.of(r.text("text")), false, options);
    }

    /** Runs the texts of all requests together, one forward batch per distinct set of options. */
    static List<JsonNode> run(TokenClassification ner, List<HfRequest> batch) {
        Map<Options, List<String>> texts = new LinkedHashMap<>();
        for (HfRequest r : batch) texts.computeIfAbsent(r.options(), k -> new ArrayList<>()).addAll(r.texts());
        Map<Options, List<List<Entity>>> results = new LinkedHashMap<>();
        for (Map.Entry<Options, List<String>> e : texts.entrySet()) {
            results.put(e.getKey(), ner.predictBatch(e.getValue(), e.getKey()));
        }
        Map<Options, Integer> used = new LinkedHashMap<>();
        List<JsonNode> out = new ArrayList<>(batch.size());
        for (HfRequest r : batch) {
            int from = used.getOrDefault(r.options(), 0);
            int to = from + r.texts().size();
            used.put(r.options(), to);
            out.add(TokenClassification.toHfJson(r.list(), results.get(r.options()).subList(from, to)));
        }
        return out;
    }
}
