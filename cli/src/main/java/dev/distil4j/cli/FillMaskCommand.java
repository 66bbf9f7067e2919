package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.distil4j.pipeline.FillMask;
import dev.distil4j.pipeline.PipelineModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code distil4j fill-mask}: Hugging Face's fill-mask pipeline. One JSON line per input, exactly
 * what {@code pipeline("fill-mask")(text, top_k=..., targets=...)} returns.
 */
@Command(name = "fill-mask", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predicts the tokens behind the mask token ([MASK], <mask>) of each text, as Hugging Face's fill-mask pipeline.",
                "Prints one JSON line per input: a list of {score, token, token_str, sequence} (a list of such lists for several masks).",
                "Inputs: TEXT arguments, or records from --input / stdin: plain lines, JSON lines ({\"text\": ...}, or "
                        + "{\"inputs\": ..., \"parameters\": {\"top_k\": ..., \"targets\": [...]}} as the Inference API), or CSV with a \"text\" column."})
final class FillMaskCommand extends PipelineCommand {
    @Option(names = "--model", required = true, description = "Model directory (Hugging Face layout) or model id.")
    String model;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts with one or more mask tokens.")
    List<String> texts = new ArrayList<>();

    @Option(names = "--top-k", paramLabel = "K", description = "Predictions per mask (default 5).")
    Integer topK;

    @Option(names = "--target", paramLabel = "WORD",
            description = "Only score these words (repeat the option for several); words outside the vocabulary are replaced by their first token.")
    List<String> targets;

    FillMaskCommand() {
        this(System.in, System.out);
    }

    FillMaskCommand(InputStream in, OutputStream out) {
        super(in, out);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ObjectNode cliParams = JsonNodeFactory.instance.objectNode();
        if (topK != null) cliParams.put("top_k", topK);
        if (targets != null && !targets.isEmpty()) targets.forEach(cliParams.withArray("targets")::add);
        FillMask.HfRequest.parse(TextNode.valueOf("check"), cliParams); // bad --top-k / --target: fail before loading
        try (InputRecords records = io.open(texts, in);
             PipelineModel pm = PipelineModel.load(ModelLocator.resolve(model));
             JsonLinesWriter w = io.output(out, records)) {
            FillMask fm = new FillMask(pm, io.batchSize);
            Set<List<String>> warned = new HashSet<>();
            return RecordLoop.run(spec.name(), records, io, err,
                    r -> request(r, cliParams),
                    batch -> run(fm, batch, warned, err),
                    RecordLoop.jsonLines(w));
        }
    }

    /** A record as a pipeline call: {"inputs", "parameters"} as given, else its "text" with the command line's parameters. */
    static FillMask.HfRequest request(InputRecords.Record r, ObjectNode cliParams) {
        ObjectNode params = cliParams.deepCopy();
        JsonNode inputs;
        if (r.has("inputs")) {
            inputs = r.get("inputs");
            JsonNode p = r.get("parameters");
            if (p != null && !p.isObject()) throw new UserException("\"parameters\" must be an object");
            if (p != null) params.setAll((ObjectNode) p);
        } else {
            inputs = TextNode.valueOf(r.text("text"));
        }
        return FillMask.HfRequest.parse(inputs, params);
    }

    /** Requests with the same options share forward passes. */
    static List<JsonNode> run(FillMask fm, List<FillMask.HfRequest> batch, Set<List<String>> warned, PrintWriter err) {
        Map<FillMask.Options, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) groups.computeIfAbsent(batch.get(i).options(), k -> new ArrayList<>()).add(i);
        JsonNode[] out = new JsonNode[batch.size()];
        for (var g : groups.entrySet()) {
            FillMask.Options o = g.getKey();
            if (!o.targets().isEmpty() && warned.add(o.targets())) {
                fm.resolveTargets(o.targets()).warnings().forEach(m -> err.println("distil4j fill-mask: warning: " + m));
            }
            List<String> texts = new ArrayList<>();
            for (int i : g.getValue()) texts.addAll(batch.get(i).texts());
            List<FillMask.Result> results = fm.predictBatch(texts, o);
            int k = 0;
            for (int i : g.getValue()) {
                FillMask.HfRequest req = batch.get(i);
                out[i] = FillMask.toHfJson(req.list(), results.subList(k, k + req.texts().size()));
                k += req.texts().size();
            }
        }
        return List.of(out);
    }
}
