package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.tokenizer.model.Bpe;
import dev.distil4j.tokenizer.model.WordPiece;
import dev.distil4j.tokenizer.text.UnicodeTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading from model directories, tokenizer_config.json, and the writer's round trip. */
class LoaderTest {
    @TempDir
    Path dir;

    @Test
    void legacyDirectoryWithConfig() {
        Tokenizer t = Tokenizer.fromDirectory(Shared.path("fixtures/models/distilbert-mlm"));
        assertEquals(UnicodeTables.Flavor.PYTHON, t.config().flavor());
        assertTrue(t.model() instanceof WordPiece);
        assertEquals(64, t.modelMaxLength());
        assertEquals(List.of(0, 2, 3, 4, 5), List.of(t.padTokenId(), t.unkTokenId(), t.clsTokenId(), t.sepTokenId(), t.maskTokenId()));
        assertEquals(266, t.vocabSize());
    }

    @Test
    void robertaDirectoryWithConfig() {
        Tokenizer t = Tokenizer.fromDirectory(Shared.path("fixtures/models/roberta-mlm"));
        assertTrue(t.model() instanceof Bpe);
        assertEquals(64, t.modelMaxLength());
        assertEquals(List.of(0, 1, 2, 3, 480), List.of(t.bosTokenId(), t.padTokenId(), t.eosTokenId(), t.unkTokenId(), t.maskTokenId()));
        AddedToken mask = t.addedTokens().stream().filter(a -> a.content().equals("<mask>")).findFirst().orElseThrow();
        assertTrue(mask.lstrip(), "<mask> eats the space before it (tokenizer_config.json says lstrip)");
        assertEquals(4, t.numSpecialTokensToAdd(true));
    }

    @Test
    void tokenizerJsonDirectories() {
        Tokenizer hf = Tokenizer.fromDirectory(Shared.path("fixtures/hf-tiny-distilbert"));
        assertEquals(UnicodeTables.Flavor.RUST, hf.config().flavor());
        JsonNode cases = Shared.json(Shared.path("fixtures/hf-tiny-distilbert/goldens/cases.json"));
        assertEquals(2, hf.clsTokenId());
        assertEquals(cases.get("cases").get(0).get("input_ids").get(0).get(0).asInt(), hf.clsTokenId());
        Tokenizer minilm = Tokenizer.fromDirectory(Shared.path("real/all-MiniLM-L6-v2"));
        assertEquals(512, minilm.modelMaxLength());
        // tokenizer.json's own truncation/padding sections are kept (for saving) but not applied
        assertEquals(128, ((Number) minilm.jsonTruncation().get("max_length")).intValue());
        assertEquals(5, minilm.encode("Hello world!").length());
    }

    @Test
    void writerRoundTripKeepsEveryOutput() throws IOException {
        for (String name : Shared.GOLDEN_NAMES) {
            Tokenizer legacy = Shared.legacy(name);
            Path f = dir.resolve(name + ".json");
            legacy.save(f);
            Tokenizer back = Tokenizer.fromTokenizerJson(f);
            Path again = dir.resolve(name + ".again.json");
            back.save(again);
            assertEquals(Files.readString(f), Files.readString(again), name + ": writing what was read changes the file");
            for (JsonNode g : Shared.jsonl(Shared.path("fixtures/tokenizers/" + name + ".jsonl"))) {
                String text = g.get("text").asText();
                if (g.get("category").asText().equals("special_tokens")) {
                    continue; // token strings of lstrip matches differ by design (slow vs Rust), ids do not
                }
                Encoding a = legacy.encode(text);
                Encoding b = back.encode(text);
                assertArrayEquals(a.ids(), b.ids(), name + ": " + text);
                assertArrayEquals(a.offsets(), b.offsets(), name + ": " + text);
            }
        }
    }

    @Test
    void writtenBertJsonMatchesTheHubFile() throws IOException {
        // Written from bert-base-uncased's vocab.txt, the file must say what distilbert-base-uncased's does.
        Path f = dir.resolve("t.json");
        Shared.legacy("bert-base-uncased").save(f);
        JsonNode mine = Shared.json(f);
        JsonNode hub = Shared.json(Shared.path("fixtures/vocab/distilbert-base-uncased/tokenizer.json"));
        for (String k : List.of("added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder")) {
            assertEquals(hub.get(k), mine.get(k), k);
        }
        assertEquals(hub.get("model").get("vocab"), mine.get("model").get("vocab"));
    }
}
