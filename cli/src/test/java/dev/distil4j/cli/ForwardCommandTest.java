package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForwardCommandTest {
    static Path shared(String rel) {
        String prop = System.getProperty("distil4j.shared", "../../shared");
        Path p = Path.of(prop).resolve(rel);
        if (!Files.exists(p)) throw new IllegalStateException("reference data missing: " + p.toAbsolutePath());
        return p;
    }

    record Result(int code, String out, String err) {}

    static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine(new picocli.CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == ForwardCommand.class) {
                    return cls.cast(new ForwardCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out));
                }
                return picocli.CommandLine.defaultFactory().create(cls);
            }
        }, args);
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void printsHiddenStateAndLogitsMatchingTheGolden() throws Exception {
        Path model = shared("fixtures/models/distilbert-seqcls");
        JsonNode cases = new ObjectMapper().readTree(shared("fixtures/goldens/distilbert-seqcls/cases.json").toFile());
        JsonNode c = cases.get("cases").get(1);
        String in = "{\"input_ids\": " + c.get("input_ids") + ", \"attention_mask\": " + c.get("attention_mask") + "}";
        Result r = run(in, "forward", "--model", model.toString(), "--hidden-states");
        assertEquals(0, r.code, r.err);
        JsonNode out = new ObjectMapper().readTree(r.out);
        JsonNode logits = out.get("logits");
        JsonNode probs = c.get("summary").get("probs");
        // softmax of the printed logits reproduces the golden probabilities
        double a = logits.get(0).get(0).asDouble(), b = logits.get(0).get(1).asDouble();
        double p1 = 1 / (1 + Math.exp(a - b));
        assertEquals(probs.get(0).get(1).asDouble(), p1, 1e-5);
        assertEquals(c.get("input_ids").get(0).size(), out.get("last_hidden_state").get(0).size());
        assertEquals(32, out.get("last_hidden_state").get(0).get(0).size());
        assertEquals(3, out.get("hidden_states").size());
        assertTrue(out.get("attentions") == null);
    }

    @Test
    void badJsonIsOneLineAndExitCode2() {
        Path model = shared("fixtures/models/distilbert-seqcls");
        Result r = run("{\"input_ids\": [[3, 4", "forward", "--model", model.toString());
        assertEquals(2, r.code);
        assertThat(r.err).startsWith("distil4j forward: stdin is not valid JSON (line 1").doesNotContain("at dev.distil4j");
        assertEquals(1, r.err.strip().lines().count());
    }

    @Test
    void idsOutOfRangeAreExitCode2() {
        Path model = shared("fixtures/models/distilbert-seqcls");
        Result r = run("{\"input_ids\": [[3, 999, 4]]}", "forward", "--model", model.toString());
        assertEquals(2, r.code);
        assertThat(r.err).contains("input_ids[0][1] = 999 is outside the vocabulary");
        Result types = run("{\"input_ids\": [[3, \"x\"]]}", "forward", "--model", model.toString());
        assertEquals(2, types.code);
        assertThat(types.err).contains("\"input_ids\"[0][1] must be an integer");
    }

    @Test
    void missingModelIsExitCode2() {
        Result r = run("{\"input_ids\": [[1]]}", "forward", "--model", "/no/such/model");
        assertEquals(2, r.code);
        assertThat(r.err).contains("/no/such/model");
    }
}
