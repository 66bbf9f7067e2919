package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.QuestionAnswering;
import dev.distil4j.pipeline.QuestionAnswering.Answer;
import dev.distil4j.pipeline.QuestionAnswering.HfRequest;
import dev.distil4j.pipeline.QuestionAnswering.Input;
import dev.distil4j.pipeline.QuestionAnswering.Options;
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
 * {@code distil4j qa}: Hugging Face's question-answering pipeline. One JSON line per input record:
 * what the Python pipeline returns for it (an answer object, or a list when {@code --top-k} > 1).
 */
@Command(name = "qa", aliases = "question-answering", mixinStandardHelpOptions = true,
        description = {"Extractive question answering, as Hugging Face's question-answering pipeline.",
                "Questions come as arguments (about --context), or one per record from --input / stdin: JSON lines "
                        + "({\"question\": ..., \"context\": ...} or {\"inputs\": {...}, \"parameters\": {...}}), CSV with "
                        + "'question' and 'context' columns, or plain lines (questions about --context).",
                "Prints one JSON line per record: {\"score\", \"start\", \"end\", \"answer\"} (offsets in code points, as Python), "
                        + "or a list of them."})
final class QaCommand extends PipelineCommand {
    @Option(names = "--model", required = true, description = "Model directory (Hugging Face layout) or model id.")
    String model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "A tokenizer.json to use instead of the model directory's tokenizer files.")
    Path tokenizer;

    @Option(names = {"-c", "--context"}, paramLabel = "TEXT", description = "The context for questions that come without one.")
    String context;

    @Option(names = "--context-file", paramLabel = "FILE", description = "Read --context from FILE (UTF-8).")
    Path contextFile;

    @Option(names = {"-k", "--top-k"}, paramLabel = "N", defaultValue = "1", description = "Answers per question. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--doc-stride", paramLabel = "N",
            description = "Tokens shared by consecutive windows of a long context. Default: min(max-seq-len / 2, 128).")
    Integer docStride;

    @Option(names = "--max-seq-len", paramLabel = "N",
            description = "Window length in tokens, question and special tokens included. Default: min(model maximum, 384).")
    Integer maxSeqLen;

    @Option(names = "--max-question-len", paramLabel = "N", defaultValue = "64",
            description = "Accepted for compatibility; ignored, as by Hugging Face's fast tokenizers. Default: ${DEFAULT-VALUE}.")
    int maxQuestionLen;

    @Option(names = "--max-answer-len", paramLabel = "N", defaultValue = "15", description = "Longest answer in tokens. Default: ${DEFAULT-VALUE}.")
    int maxAnswerLen;

    @Option(names = "--handle-impossible-answer", description = "Also consider the empty answer (no answer in the context).")
    boolean handleImpossibleAnswer;

    @Option(names = "--align-to-words", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Widen answers to whole words (default); --no-align-to-words keeps token boundaries.")
    boolean alignToWords;

    @Parameters(paramLabel = "QUESTION", arity = "0..*", description = "Questions about --context (otherwise records are read from --input or stdin).")
    List<String> questions = new ArrayList<>();

    QaCommand() {
        this(System.in, System.out);
    }

    QaCommand(InputStream in, OutputStream out) {
        super(in, out);
    }

    @Override
    public Integer call() {
        if (context != null && contextFile != null) throw new UserException("give --context or --context-file, not both");
        if (contextFile != null) context = io.readText("--context-file", contextFile);
        if (!questions.isEmpty() && context == null) throw new UserException("questions given as arguments need --context (or --context-file)");
        Options options = new Options(topK, handleImpossibleAnswer, maxAnswerLen, alignToWords, docStride, maxSeqLen, maxQuestionLen);
        PrintWriter err = spec.commandLine().getErr();
        try (InputRecords records = io.open(questions, in);
             PipelineModel pm = TaskModels.load(model, tokenizer);
             JsonLinesWriter w = io.output(out, records, contextFile, tokenizer)) {
            QuestionAnswering qa = new QuestionAnswering(pm, io.batchSize);
            return RecordLoop.run("qa", records, io, err, r -> parse(r, context, options), batch -> run(qa, batch),
                    RecordLoop.jsonLines(w));
        }
    }

    /**
     * A record: {@code question} (or {@code text}: arguments and plain lines) with {@code context} or the
     * default context; or an Inference API request {@code inputs} + {@code parameters} over the command's options.
     */
    static HfRequest parse(InputRecords.Record r, String defaultContext, Options options) {
        if (r.has("inputs")) {
            JsonNode inputs = r.get("inputs");
            if (defaultContext != null) inputs = withContext(inputs, defaultContext);
            return HfRequest.parse(inputs, r.get("parameters"), options);
        }
        String q = r.has("question") ? r.text("question") : r.text("text");
        String c = r.has("context") ? r.text("context") : defaultContext;
        if (c == null) throw new UserException("no context: give \"context\" in the record or --context");
        return new HfRequest(List.of(new Input(q, c)), false, options);
    }

    /** Fills in the default context where an {@code inputs} object has none. */
    private static JsonNode withContext(JsonNode inputs, String context) {
        if (inputs.isObject() && !inputs.has("context")) {
            ObjectNode o = ((ObjectNode) inputs).deepCopy();
            o.put("context", context);
            return o;
        }
        if (inputs.isArray()) {
            var a = JsonNodeFactory.instance.arrayNode();
            for (JsonNode n : inputs) a.add(withContext(n, context));
            return a;
        }
        return inputs;
    }

    /** Runs the inputs of all requests together, one call per distinct set of options. */
    static List<JsonNode> run(QuestionAnswering qa, List<HfRequest> batch) {
        Map<Options, List<Input>> inputs = new LinkedHashMap<>();
        for (HfRequest r : batch) inputs.computeIfAbsent(r.options(), k -> new ArrayList<>()).addAll(r.inputs());
        Map<Options, List<List<Answer>>> results = new LinkedHashMap<>();
        for (Map.Entry<Options, List<Input>> e : inputs.entrySet()) {
            results.put(e.getKey(), qa.predictBatch(e.getValue(), e.getKey()));
        }
        Map<Options, Integer> used = new LinkedHashMap<>();
        List<JsonNode> out = new ArrayList<>(batch.size());
        for (HfRequest r : batch) {
            int from = used.getOrDefault(r.options(), 0);
            int to = from + r.inputs().size();
            used.put(r.options(), to);
            out.add(QuestionAnswering.toHfJson(r.list(), results.get(r.options()).subList(from, to)));
        }
        return out;
    }
}
