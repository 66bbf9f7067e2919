package dev.distil4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code distil4j tokenize}: JSON lines in, one JSON line out per input with the ids, tokens, offsets,
 * type ids and attention mask of the model's tokenizer (tokenizer.json, or the legacy vocabulary files).
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Tokenizes JSON lines from stdin with the tokenizer of a model directory (tokenizer.json, "
                + "else vocab.txt or vocab.json + merges.txt).",
                "Each input line is {\"text\": ...} (with --pairs {\"text\": ..., \"text_pair\": ...}) or a bare JSON string; "
                        + "blank lines are skipped.",
                "Each output line is {\"ids\", \"tokens\", \"offsets\", \"type_ids\", \"attention_mask\"}; offsets are "
                        + "[start, end) pairs into the input text, in UTF-16 units (Java string indices) unless "
                        + "--offsets codepoints (Python's indices). Special tokens have [0, 0]."})
public final class TokenizeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory with the tokenizer files.")
    Path model;

    @Option(names = "--max-length", paramLabel = "N",
            description = "Truncate (longest first) to N tokens, special tokens included.")
    Integer maxLength;

    @Option(names = "--pairs", description = "Inputs are pairs: every line needs \"text\" and \"text_pair\".")
    boolean pairs;

    @Option(names = "--offsets", paramLabel = "UNIT", defaultValue = "utf16",
            description = "utf16 (default) or codepoints.")
    String offsetUnit;

    @Option(names = "--no-special-tokens", description = "Do not add [CLS]/[SEP] (or <s>/</s>).")
    boolean noSpecialTokens;

    private final InputStream in;
    private final OutputStream out;

    public TokenizeCommand() {
        this(System.in, System.out);
    }

    public TokenizeCommand(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

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
        if (!Files.isDirectory(model)) {
            throw new UserException("no such model directory: " + model);
        }
        Tokenizer tok;
        try {
            tok = Tokenizer.fromDirectory(model);
        } catch (TokenizerException e) {
            throw new UserException(e.getMessage());
        }
        EncodeOptions.Builder ob = EncodeOptions.builder().addSpecialTokens(!noSpecialTokens);
        if (maxLength != null) {
            ob.truncation(TruncationStrategy.LONGEST_FIRST).maxLength(maxLength);
        }
        EncodeOptions options = ob.build();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] texts = parse(line, lineNo);
                Encoding e;
                try {
                    e = tok.encode(texts[0], texts[1], options);
                } catch (TokenizerException ex) {
                    throw new UserException("line " + lineNo + ": " + ex.getMessage());
                }
                w.write(JSON.writeValueAsString(toJson(e, codePoints)));
                w.write('\n');
            }
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    private String[] parse(String line, int lineNo) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            String why = e.getOriginalMessage().replaceAll("\\s*\\(start marker at.*$", "");
            throw new UserException("line " + lineNo + ": not valid JSON: " + why);
        }
        if (n.isTextual()) {
            if (pairs) {
                throw new UserException("line " + lineNo + ": --pairs needs {\"text\": ..., \"text_pair\": ...}, not a bare string");
            }
            return new String[] {n.asText(), null};
        }
        if (!n.isObject()) {
            throw new UserException("line " + lineNo + ": expected {\"text\": ...} or a JSON string");
        }
        JsonNode text = n.get("text");
        if (text == null || !text.isTextual()) {
            throw new UserException("line " + lineNo + ": missing string field \"text\"");
        }
        JsonNode pair = n.get("text_pair");
        if (pairs) {
            if (pair == null || !pair.isTextual()) {
                throw new UserException("line " + lineNo + ": --pairs needs a string field \"text_pair\"");
            }
            return new String[] {text.asText(), pair.asText()};
        }
        if (pair != null && !pair.isNull()) {
            throw new UserException("line " + lineNo + ": \"text_pair\" given without --pairs");
        }
        return new String[] {text.asText(), null};
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
