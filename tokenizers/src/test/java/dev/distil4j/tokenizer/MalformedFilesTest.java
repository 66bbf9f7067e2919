package dev.distil4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken files fail with a TokenizerException naming the file and the position. */
class MalformedFilesTest {
    @TempDir
    Path dir;

    private String json() throws IOException {
        return Files.readString(Shared.path("fixtures/goldens/distilbert-qa/tokenizer.json"));
    }

    private TokenizerException loadJson(String content) throws IOException {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, content);
        return assertThrows(TokenizerException.class, () -> Tokenizer.fromTokenizerJson(f));
    }

    private static void mentions(TokenizerException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void syntaxErrorGivesLineAndColumn() throws IOException {
        String broken = json().replaceFirst("\"normalizer\":", "\"normalizer\" ");
        TokenizerException e = loadJson(broken);
        mentions(e, "tokenizer.json", "line ", "column ", "malformed JSON");
    }

    @Test
    void truncatedFile() throws IOException {
        String s = json();
        mentions(loadJson(s.substring(0, s.length() / 2)), "tokenizer.json", "line ");
    }

    @Test
    void unknownComponentTypeIsNamed() throws IOException {
        mentions(loadJson(json().replace("\"type\": \"BertNormalizer\"", "\"type\": \"FancyNormalizer\"")
                .replace("\"type\":\"BertNormalizer\"", "\"type\":\"FancyNormalizer\"")),
                "unsupported normalizer type 'FancyNormalizer'", "$.normalizer.type");
        mentions(loadJson(json().replace("\"BertPreTokenizer\"", "\"Metaspace\"")), "pre-tokenizer type 'Metaspace'");
        mentions(loadJson(json().replace("\"TemplateProcessing\"", "\"Fancy\"")), "post-processor type 'Fancy'");
        mentions(loadJson(json().replace("\"type\": \"WordPiece\", \"prefix\"", "\"type\": \"CTC\", \"prefix\"")
                .replace("\"decoder\": {\"type\": \"WordPiece\"", "\"decoder\": {\"type\": \"CTC\"")), "decoder type 'CTC'");
        mentions(loadJson(json().replace("\"type\": \"WordPiece\",\n  \"unk_token\"", "\"type\": \"Unigram\",\n  \"unk_token\"")),
                "model type 'Unigram'", "$.model.type");
    }

    @Test
    void wrongValueTypeGivesJsonPath() throws IOException {
        mentions(loadJson(json().replace("\"lowercase\": true", "\"lowercase\": \"yes\"")),
                "$.normalizer.lowercase", "expected true or false");
        mentions(loadJson(json().replace("\"[UNK]\": 2,", "\"[UNK]\": \"two\",")), "$.model.vocab.[UNK]");
    }

    @Test
    void missingModel() throws IOException {
        mentions(loadJson("{\"version\": \"1.0\", \"added_tokens\": []}"), "$", "missing required field 'model'");
        mentions(loadJson("[1, 2]"), "expected a JSON object");
    }

    @Test
    void badMergesLineIsNumbered() throws IOException {
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        Files.copy(Shared.path("fixtures/tiny_vocab/vocab.json"), vocab);
        Files.writeString(merges, "#version: 0.2\n\u0120 t\nthis line is wrong\n");
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizer.fromBpeFiles(vocab, merges, Map.of()));
        mentions(e, "merges.txt", "line 3");
        Files.writeString(merges, "#version: 0.2\nzz qq\n");
        mentions(assertThrows(TokenizerException.class, () -> Tokenizer.fromBpeFiles(vocab, merges, Map.of())),
                "merges.txt", "merge 1", "'zz'");
    }

    @Test
    void brokenVocabJson() throws IOException {
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        Files.writeString(vocab, "{\"a\": 0,\n \"b\": 1,,\n}");
        Files.writeString(merges, "#version: 0.2\n");
        mentions(assertThrows(TokenizerException.class, () -> Tokenizer.fromBpeFiles(vocab, merges, Map.of())),
                "vocab.json", "line 2");
    }

    @Test
    void invalidUtf8InVocabTxt() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, new byte[] {'[', 'P', 'A', 'D', ']', '\n', 'a', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        mentions(assertThrows(TokenizerException.class, () -> Tokenizer.fromWordPieceVocab(vocab, Map.of())),
                "vocab.txt", "line 3", "invalid UTF-8");
    }

    @Test
    void missingFiles() {
        mentions(assertThrows(TokenizerException.class, () -> Tokenizer.fromDirectory(dir)), "no tokenizer files");
        mentions(assertThrows(TokenizerException.class, () -> Tokenizer.fromTokenizerJson(dir.resolve("nope.json"))),
                "nope.json", "not found");
    }

    @Test
    void brokenTokenizerConfig() throws IOException {
        Files.copy(Shared.path("fixtures/tiny_vocab/vocab.txt"), dir.resolve("vocab.txt"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"do_lower_case\": true,\n\"model_max_length\": }");
        mentions(assertThrows(TokenizerException.class, () -> Tokenizer.fromDirectory(dir)), "tokenizer_config.json", "line 2");
    }
}
