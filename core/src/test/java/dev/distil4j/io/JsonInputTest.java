package dev.distil4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.model.ConfigException;
import dev.distil4j.model.ModelConfig;
import dev.distil4j.testutil.Bounds;
import dev.distil4j.testutil.Shared;
import dev.distil4j.testutil.StFiles;
import dev.distil4j.weights.SafeTensors;
import dev.distil4j.weights.ShardedWeights;
import dev.distil4j.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every JSON a loader reads fails with the loader's own exception and a located, readable message. */
class JsonInputTest {
    @TempDir
    Path tmp;

    /** Nesting past Jackson's 1,000 levels: arrays, objects, mixed, and deep inside an otherwise fine value. */
    private static List<String> tooDeep() {
        return List.of(
                "[".repeat(1001) + "]".repeat(1001),
                "{\"a\":".repeat(5000) + "1" + "}".repeat(5000),
                "[{\"x\":".repeat(600) + "0" + "}]".repeat(600),
                "{\"model_type\": \"distilbert\", \"id2label\": " + "[".repeat(2000) + "]".repeat(2000) + "}");
    }

    @Test
    void configJsonNestedTooDeepIsAConfigError() throws Exception {
        Path config = tmp.resolve("config.json");
        for (String json : tooDeep()) {
            Files.writeString(config, json);
            ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.read(config));
            assertThat(e.getMessage()).startsWith(config.toString()).contains("line 1, column ")
                    .contains("nesting depth").contains("maximum allowed (1000)").doesNotContain("StreamReadConstraints");
        }
    }

    @Test
    void safetensorsHeaderNestedTooDeepIsAWeightsError() {
        for (String json : tooDeep()) {
            Path f = StFiles.raw(tmp.resolve("deep.safetensors"), json.length(), json, new byte[0]);
            WeightsException e = assertThrows(WeightsException.class, () -> SafeTensors.open(f));
            assertThat(e.getMessage()).contains("deep.safetensors: header: line 1, column ").contains("nesting depth");
        }
    }

    @Test
    void shardIndexNestedTooDeepIsAWeightsError() throws Exception {
        Path index = tmp.resolve("model.safetensors.index.json");
        for (String json : tooDeep()) {
            Files.writeString(index, json);
            WeightsException e = assertThrows(WeightsException.class, () -> ShardedWeights.open(index));
            assertThat(e.getMessage()).startsWith(index.toString()).contains("nesting depth");
        }
    }

    @Test
    void trailingContentIsRefusedAsPythonRefusesIt() throws Exception {
        String good = Files.readString(Shared.path("fixtures/models/distilbert-mlm/config.json"));
        assertEquals("distilbert", readConfig(good).modelType());
        Path config = tmp.resolve("config.json");
        for (String tail : List.of("garbage", "}", "{}", "\n\n  [1]", ",", "\"x\"", "0")) {
            Files.writeString(config, good + tail);
            ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.read(config), tail);
            assertThat(e.getMessage()).startsWith(config.toString()).contains("line ").contains("column ")
                    .contains("unexpected content after the JSON value");
        }
        // whitespace after the value is fine
        assertEquals("distilbert", readConfig(good + "\n \t\r\n").modelType());
    }

    private ModelConfig readConfig(String json) throws Exception {
        Path config = tmp.resolve("ok-config.json");
        Files.writeString(config, json);
        return ModelConfig.read(config);
    }

    /** The Problem overload hands the caller the place and the kind, for messages it words itself (JSON Lines records). */
    @Test
    void problemsCarryTheirPlaceAndKind() {
        record Cases(String json, JsonInput.Problem.Kind kind, int column) {}
        for (Cases c : List.of(new Cases("{bad", JsonInput.Problem.Kind.SYNTAX, 2),
                new Cases("{\"text\": \"a\"} xyz", JsonInput.Problem.Kind.TRAILING, 14),
                new Cases("{\"a\": 1}{\"b\": 2}", JsonInput.Problem.Kind.TRAILING, 9),
                new Cases("\"text\"  ,", JsonInput.Problem.Kind.TRAILING, 7),
                new Cases("[".repeat(1001) + "]".repeat(1001), JsonInput.Problem.Kind.LIMIT, 1002),
                new Cases("  ", JsonInput.Problem.Kind.EMPTY, 0))) {
            JsonInput.Problem[] got = new JsonInput.Problem[1];
            assertThrows(IllegalStateException.class, () -> JsonInput.parse(c.json(), p -> {
                got[0] = p;
                return new IllegalStateException(p.reason());
            }), c.json().substring(0, Math.min(30, c.json().length())));
            assertEquals(c.kind(), got[0].kind(), c.kind().name());
            assertEquals(c.column(), got[0].column(), c.kind().name());
            assertEquals(c.kind() == JsonInput.Problem.Kind.EMPTY ? 0 : 1, got[0].line(), c.kind().name());
        }
        assertEquals(1, JsonInput.parse("{\"a\": [1]}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                p -> new IllegalStateException(p.located())).get("a").get(0).asInt());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> JsonInput.parse(new byte[] {'"', (byte) 0xff, '"'},
                p -> new IllegalStateException(p.located())));
        assertThat(e.getMessage()).startsWith("line 1, column ").contains("not valid JSON").contains("UTF-8");
    }

    @Test
    void syntaxErrorsEmptyFilesAndMissingFilesAreLocatedOrNamed() throws Exception {
        Path config = tmp.resolve("config.json");
        Files.writeString(config, "{\"model_type\": \"bert\",\n  \"hidden_size\": }");
        assertThat(assertThrows(ConfigException.class, () -> ModelConfig.read(config)).getMessage())
                .startsWith(config + ": line 2, column ").contains("not valid JSON");
        Files.writeString(config, "  \n");
        assertThat(assertThrows(ConfigException.class, () -> ModelConfig.read(config)).getMessage())
                .isEqualTo(config + ": empty, expected a JSON value");
        Path none = tmp.resolve("none.json");
        assertThat(assertThrows(ConfigException.class, () -> ModelConfig.read(none)).getMessage())
                .isEqualTo(none + ": file not found");
    }

    @Test
    void aFileOverTheLimitIsRefusedWithoutReadingItWhole() throws Exception {
        Path big = tmp.resolve("big.json");
        Files.writeString(big, "[" + "0,".repeat(8_000_000) + "0]"); // 16 MB
        // once first: loading the classes costs more than the read
        assertThrows(IllegalStateException.class, () -> JsonInput.read(big, 1_000, IllegalStateException::new));
        Bounds.Outcome o = Bounds.measure(() -> JsonInput.read(big, 100_000, IllegalStateException::new));
        assertThat(o.thrown()).isInstanceOf(IllegalStateException.class).hasMessageContaining("big.json: more than 100000 bytes")
                .hasMessageContaining(InputLimits.JSON_PROPERTY);
        assertThat(o.allocatedBytes()).isLessThan(2_000_000);
        JsonNode n = JsonInput.read(big, 20_000_000, IllegalStateException::new);
        assertEquals(8_000_001, n.size());
        JsonNode s = JsonInput.parse("stream", new ByteArrayInputStream("{\"a\": [1]}".getBytes()), 10, IllegalStateException::new);
        assertEquals(1, s.get("a").get(0).asInt());
    }

    @Test
    void limitsComeFromSystemPropertiesOnlyWhenValid() {
        InputLimits d = InputLimits.fromSystemProperties();
        assertEquals(256L << 20, d.maxJsonBytes());
        assertEquals(64L << 20, d.maxPickleBytes());
        assertEquals(100, d.maxInflationRatio());
        assertThrows(IllegalArgumentException.class, () -> new InputLimits(0, 1, 1));
    }
}
