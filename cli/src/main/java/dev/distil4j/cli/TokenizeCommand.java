package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.tokenizer.EncodeOptions;
import dev.distil4j.tokenizer.Encoding;
import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.tokenizer.TokenizerException;
import dev.distil4j.tokenizer.TruncationStrategy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code distil4j tokenize}: texts in (arguments, plain lines, JSON lines or CSV, as every pipeline
 * command reads them), one JSON line out per input with the ids, tokens, offsets, type ids and
 * attention mask of the model's tokenizer (tokenizer.json, or the legacy vocabulary files).
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Tokenizes texts with a model's tokenizer (tokenizer.json, else vocab.txt or vocab.json + merges.txt).",
                "Inputs: TEXT arguments (with --text-pair for one pair), or records from --input / stdin: plain lines, JSON lines "
                        + "({\"text\": ..., \"text_pair\": ...} or a bare JSON string), or CSV with \"text\" (and \"text_pair\") columns.",
                "Each output line is {\"ids\", \"tokens\", \"offsets\", \"type_ids\", \"attention_mask\"}; offsets are "
                        + "[start, end) pairs into the input text, in UTF-16 units (Java string indices) unless "
                        + "--offsets codepoints (Python's indices). Special tokens have [0, 0]."})
final class TokenizeCommand extends PipelineCommand {
    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "Model directory (the tokenizer files suffice), hub id, alias or maven:..., as for every command.")
    String model;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to tokenize.")
    List<String> texts = new ArrayList<>();

    @Option(names = "--text-pair", paramLabel = "TEXT", description = "The second text of a pair (with exactly one TEXT).")
    String textPair;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Truncate (longest first) to N tokens, special tokens included.")
    Integer maxLength;

    @Option(names = "--pairs", description = "Every record must be a pair: \"text\" and \"text_pair\".")
    boolean pairs;

    @Option(names = "--offsets", paramLabel = "UNIT", defaultValue = "utf16",
            description = "utf16 (default) or codepoints.")
    String offsetUnit;

    @Option(names = "--no-special-tokens", description = "Do not add [CLS]/[SEP] (or <s>/</s>).")
    boolean noSpecialTokens;

    TokenizeCommand() {
        this(System.in, System.out);
    }

    TokenizeCommand(InputStream in, OutputStream out) {
        super(in, out);
    }

    /** One input: a text and, for a pair, its second text (else null). */
    record Texts(String text, String pair) {}

    @Override
    public Integer call() {
        boolean codePoints = switch (offsetUnit) {
            case "utf16" -> false;
            case "codepoints" -> true;
            default -> throw new UserException("--offsets must be utf16 or codepoints, not '" + offsetUnit + "'");
        };
        if (maxLength != null && maxLength <= 0) {
            throw new UserException("--max-length must be positive");
        }
        EncodeOptions.Builder ob = EncodeOptions.builder().addSpecialTokens(!noSpecialTokens);
        if (maxLength != null) {
            ob.truncation(TruncationStrategy.LONGEST_FIRST).maxLength(maxLength);
        }
        EncodeOptions options = ob.build();
        try (InputRecords records = io.open(texts, textPair, in);
             JsonLinesWriter w = io.output(out, records)) {
            Tokenizer tok = Tokenizer.fromDirectory(tokenizerDirectory(model));
            return RecordLoop.run(spec.name(), records, io, spec.commandLine().getErr(), this::texts,
                    batch -> encode(tok, batch, options, codePoints), RecordLoop.jsonLines(w));
        }
    }

    /** A directory is read as it is (no config.json needed: tokenizer files suffice); anything else resolves as --model does. */
    static Path tokenizerDirectory(String spec) {
        Path p = Path.of(spec);
        return Files.isDirectory(p) ? p : ModelLocator.resolve(spec);
    }

    private Texts texts(InputRecords.Record r) {
        Texts t = new Texts(r.text("text"), r.optionalText("text_pair"));
        if (pairs && t.pair() == null) throw new UserException("--pairs needs a string field \"text_pair\" in every record");
        return t;
    }

    private static List<JsonNode> encode(Tokenizer tok, List<Texts> batch, EncodeOptions options, boolean codePoints) {
        List<JsonNode> out = new ArrayList<>(batch.size());
        for (Texts t : batch) {
            try {
                // the output has no overflowing windows: a long text is tokenised only as far as --max-length
                out.add(toJson(tok.encodeFirstWindow(t.text(), t.pair(), options).encoding(), codePoints));
            } catch (TokenizerException e) { // this input's problem: RecordLoop reports it and goes on
                throw new UserException(e.getMessage());
            }
        }
        return out;
    }

    private static ObjectNode toJson(Encoding e, boolean codePoints) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        ArrayNode ids = o.putArray("ids");
        ArrayNode tokens = o.putArray("tokens");
        ArrayNode offsets = o.putArray("offsets");
        ArrayNode types = o.putArray("type_ids");
        ArrayNode mask = o.putArray("attention_mask");
        for (int i = 0; i < e.length(); i++) {
            ids.add(e.idAt(i));
            tokens.add(e.tokenAt(i));
            offsets.addArray().add(codePoints ? e.codePointStartAt(i) : e.startAt(i))
                    .add(codePoints ? e.codePointEndAt(i) : e.endAt(i));
            types.add(e.typeIdAt(i));
            mask.add(e.attentionMaskAt(i));
        }
        return o;
    }
}
