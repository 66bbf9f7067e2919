package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.TextClassification;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code distil4j classify}: Hugging Face's text-classification pipeline. One JSON line per input,
 * exactly what {@code pipeline("text-classification")(input, **parameters)} returns for it.
 */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Classifies texts or text pairs, as Hugging Face's text-classification pipeline.",
                "Prints one JSON line per input, in the pipeline's shape: [{label, score}] for a text, {label, score} for a pair, "
                        + "a list of {label, score} (best first) with --top-k.",
                "Inputs: TEXT arguments (with --text-pair for one pair), or records from --input / stdin: plain lines, JSON lines "
                        + "({\"text\": ..., \"text_pair\": ...}, or {\"inputs\": ..., \"parameters\": {...}} as the Inference API), "
                        + "or CSV with \"text\" (and \"text_pair\") columns."})
final class ClassifyCommand extends PipelineCommand {
    @Option(names = "--model", required = true, description = "Model directory (Hugging Face layout) or model id.")
    String model;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to classify.")
    List<String> texts = new ArrayList<>();

    @Option(names = "--text-pair", paramLabel = "TEXT", description = "The second text of a pair (with exactly one TEXT).")
    String textPair;

    @Option(names = "--top-k", paramLabel = "K|all", description = "Labels per input, best first ('all' for every label). "
            + "Without it, the pipeline's default: the best label alone.")
    String topK;

    @Option(names = "--function", paramLabel = "FN", description = "softmax, sigmoid or none (default: the model's: sigmoid for "
            + "multi-label or single-label models, else softmax).")
    String function;

    @Option(names = "--return-all-scores", description = "Every label's score in label order (the pipeline's legacy option).")
    boolean returnAllScores;

    @Option(names = "--truncation", description = "Cut inputs longer than the model (default: they are errors, as in transformers).")
    boolean truncation;

    ClassifyCommand() {
        this(System.in, System.out);
    }

    ClassifyCommand(InputStream in, OutputStream out) {
        super(in, out);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ObjectNode cliParams = JsonNodeFactory.instance.objectNode();
        if (topK != null) {
            if (topK.equalsIgnoreCase("all")) {
                cliParams.putNull("top_k");
            } else {
                try {
                    cliParams.put("top_k", Integer.parseInt(topK));
                } catch (NumberFormatException e) {
                    throw new UserException("--top-k must be a number or 'all', not \"" + topK + "\"");
                }
            }
        }
        if (function != null) cliParams.put("function_to_apply", function.toLowerCase(Locale.ROOT));
        if (returnAllScores) cliParams.put("return_all_scores", true);
        if (truncation) cliParams.put("truncation", true);
        TextClassification.HfRequest.parse(TextNode.valueOf("check"), cliParams); // bad options fail before loading
        try (InputRecords records = io.open(texts, textPair, in);
             PipelineModel pm = PipelineModel.load(ModelLocator.resolve(model));
             JsonLinesWriter w = io.output(out, records)) {
            TextClassification tc = new TextClassification(pm, io.batchSize);
            return RecordLoop.run(spec.name(), records, io, err, r -> request(r, cliParams), batch -> run(tc, batch),
                    RecordLoop.jsonLines(w));
        }
    }

    /** A record as a pipeline call: {"inputs", "parameters"} as given, else "text" (+ "text_pair") with the command line's parameters. */
    static TextClassification.HfRequest request(InputRecords.Record r, ObjectNode cliParams) {
        ObjectNode params = cliParams.deepCopy();
        JsonNode inputs;
        if (r.has("inputs")) {
            inputs = r.get("inputs");
            JsonNode p = r.get("parameters");
            if (p != null && !p.isObject()) throw new UserException("\"parameters\" must be an object");
            if (p != null) params.setAll((ObjectNode) p);
        } else {
            String text = r.text("text");
            String pair = r.optionalText("text_pair");
            inputs = pair == null ? TextNode.valueOf(text)
                    : JsonNodeFactory.instance.objectNode().put("text", text).put("text_pair", pair);
        }
        return TextClassification.HfRequest.parse(inputs, params);
    }

    /** Requests with the same options (and output style) share forward passes. */
    static List<JsonNode> run(TextClassification tc, List<TextClassification.HfRequest> batch) {
        record Key(TextClassification.Options options, boolean labelOrder) {}
        Map<Key, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            TextClassification.HfRequest r = batch.get(i);
            groups.computeIfAbsent(new Key(r.options(), r.labelOrder()), k -> new ArrayList<>()).add(i);
        }
        JsonNode[] out = new JsonNode[batch.size()];
        for (var g : groups.entrySet()) {
            List<TextClassification.Input> inputs = new ArrayList<>();
            for (int i : g.getValue()) inputs.addAll(batch.get(i).inputs());
            List<List<TextClassification.LabelScore>> results = g.getKey().labelOrder()
                    ? tc.scoresInLabelOrder(inputs, g.getKey().options())
                    : tc.classifyBatch(inputs, g.getKey().options());
            int k = 0;
            for (int i : g.getValue()) {
                TextClassification.HfRequest req = batch.get(i);
                out[i] = TextClassification.toHfJson(req, results.subList(k, k + req.inputs().size()));
                k += req.inputs().size();
            }
        }
        return List.of(out);
    }
}
