package dev.distil4j.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.io.InputLimits;
import dev.distil4j.io.JsonInput;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.model.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code distil4j forward}: one raw forward pass. Reads
 * {@code {"input_ids": [[...]], "attention_mask": [[...]], "token_type_ids": [[...]]}} on stdin
 * and prints the model's outputs as one JSON object (nested arrays, as {@code tensor.tolist()}).
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = "Runs the model on token ids read as JSON from stdin; prints last_hidden_state and the head's logits.")
final class ForwardCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model directory (Hugging Face layout) or model id.")
    String model;

    @Option(names = "--hidden-states", description = "Also print hidden_states (embeddings + every layer).")
    boolean hiddenStates;

    @Option(names = "--attentions", description = "Also print every layer's attention probabilities.")
    boolean attentions;

    private final InputStream in;
    private final OutputStream out;

    ForwardCommand() {
        this(System.in, System.out);
    }

    ForwardCommand(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        long max = InputLimits.fromSystemProperties().maxJsonBytes();
        byte[] bytes = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 16) + 1); // one past the limit: too large
        if (bytes.length > max) {
            throw new UserException("stdin holds more than " + Sizes.format(max) + ", the limit for JSON (system property "
                    + InputLimits.JSON_PROPERTY + ")");
        }
        ModelInput input = parse(bytes);
        try (Model m = Model.load(ModelLocator.resolve(model))) {
            write(m.forward(input, hiddenStates, attentions));
        }
        return 0;
    }

    /** The token ids of a JSON object read as UTF-8 (Jackson also takes UTF-16 and UTF-32 with their byte order marks). */
    static ModelInput parse(byte[] json) {
        JsonNode root = JsonInput.parse(json, p -> new UserException(p.kind() == JsonInput.Problem.Kind.EMPTY
                ? "stdin is empty: expected one JSON object with \"input_ids\""
                : "stdin is not valid JSON (line " + p.line() + ", column " + p.column() + "): "
                        + (p.kind() == JsonInput.Problem.Kind.SYNTAX ? p.detail() : p.reason())));
        if (!root.isObject()) {
            throw new UserException("stdin must hold one JSON object with \"input_ids\"");
        }
        int[][] ids = ints(root, "input_ids");
        if (ids == null) throw new UserException("missing \"input_ids\" (an array of arrays of token ids)");
        return new ModelInput(ids, ints(root, "attention_mask"), ints(root, "token_type_ids"));
    }

    /** A [batch][seq] integer array; a single flat array counts as a batch of one. */
    private static int[][] ints(JsonNode root, String key) {
        JsonNode a = root.get(key);
        if (a == null || a.isNull()) return null;
        if (!a.isArray() || a.isEmpty()) throw new UserException("\"" + key + "\" must be a non-empty array of arrays of integers");
        boolean flat = !a.get(0).isArray();
        int[][] out = new int[flat ? 1 : a.size()][];
        for (int b = 0; b < out.length; b++) {
            JsonNode row = flat ? a : a.get(b);
            if (!row.isArray()) throw new UserException("\"" + key + "\"[" + b + "] must be an array of integers");
            out[b] = new int[row.size()];
            for (int i = 0; i < row.size(); i++) {
                JsonNode v = row.get(i);
                if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                    throw new UserException("\"" + key + "\"" + (flat ? "" : "[" + b + "]") + "[" + i + "] must be an integer, not " + v);
                }
                out[b][i] = v.asInt();
            }
        }
        return out;
    }

    private void write(ModelOutput o) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(new NonClosing(out), JsonEncoding.UTF8)) {
            g.writeStartObject();
            field(g, "last_hidden_state", o.lastHiddenState());
            if (hiddenStates) list(g, "hidden_states", o.hiddenStates());
            if (attentions) list(g, "attentions", o.attentions());
            field(g, "pooler_output", o.poolerOutput());
            field(g, "logits", o.logits());
            field(g, "start_logits", o.startLogits());
            field(g, "end_logits", o.endLogits());
            g.writeEndObject();
            g.writeRaw('\n');
        }
        out.flush();
    }

    private static void field(JsonGenerator g, String name, Tensor t) throws IOException {
        if (t == null) return;
        g.writeFieldName(name);
        nested(g, t.shape(), t.data(), 0, 0);
    }

    private static void list(JsonGenerator g, String name, List<Tensor> ts) throws IOException {
        g.writeFieldName(name);
        g.writeStartArray();
        for (Tensor t : ts) nested(g, t.shape(), t.data(), 0, 0);
        g.writeEndArray();
    }

    private static void nested(JsonGenerator g, int[] shape, float[] data, int dim, int offset) throws IOException {
        g.writeStartArray();
        if (dim == shape.length - 1) {
            for (int i = 0; i < shape[dim]; i++) g.writeNumber(data[offset + i]);
        } else {
            int stride = 1;
            for (int d = dim + 1; d < shape.length; d++) stride *= shape[d];
            for (int i = 0; i < shape[dim]; i++) nested(g, shape, data, dim + 1, offset + i * stride);
        }
        g.writeEndArray();
    }

    /** Keeps System.out open when the generator closes. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
