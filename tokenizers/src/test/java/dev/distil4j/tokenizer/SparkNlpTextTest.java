package dev.distil4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.tokenizer.sparknlp.SparkNlpSentenceDetector;
import dev.distil4j.tokenizer.sparknlp.SparkNlpSentenceDetector.Sentence;
import dev.distil4j.tokenizer.sparknlp.SparkNlpTokenizer;
import dev.distil4j.tokenizer.sparknlp.SparkNlpTokenizer.Token;
import dev.distil4j.tokenizer.sparknlp.SparkNlpWordPieces;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Spark NLP's default SentenceDetector and Tokenizer, and the first-word pieces its DistilBertEmbeddings
 * feeds the model, against what the real Spark NLP 5.5.3 wrote for the 320 texts of
 * ../shared/fixtures/spark-nlp/distilbert-init-uncased (sentences.jsonl, tokens.jsonl, annotations.jsonl).
 */
class SparkNlpTextTest {
    static final String FIXTURE = "fixtures/spark-nlp/distilbert-init-uncased/";

    static List<String> texts() throws IOException {
        List<String> lines = Files.readAllLines(Shared.path(FIXTURE + "texts.txt"));
        assertThat(lines).hasSize(320);
        return lines;
    }

    /** The fixture's lines of one file, grouped by text id. */
    static List<List<JsonNode>> byText(String file, int texts) {
        List<List<JsonNode>> out = new ArrayList<>();
        for (int i = 0; i < texts; i++) out.add(new ArrayList<>());
        for (JsonNode n : Shared.jsonl(Shared.path(FIXTURE + file))) out.get(n.get("id").asInt()).add(n);
        return out;
    }

    static String describe(String result, int begin, int end, int sentence) {
        return result + " [" + begin + ", " + end + "] sentence " + sentence;
    }

    static String describe(JsonNode n) {
        return describe(n.get("result").asText(), n.get("begin").asInt(), n.get("end").asInt(),
                n.get("metadata").get("sentence").asInt());
    }

    @Test
    void sentencesOfAll320TextsEqualSparkNlps() throws IOException {
        List<String> texts = texts();
        List<List<JsonNode>> expected = byText("sentences.jsonl", texts.size());
        int equal = 0, total = 0;
        for (int t = 0; t < texts.size(); t++) {
            List<String> want = expected.get(t).stream().map(SparkNlpTextTest::describe).toList();
            List<String> got = SparkNlpSentenceDetector.detect(texts.get(t)).stream()
                    .map(s -> describe(s.text(), s.begin(), s.end(), s.index())).toList();
            assertThat(got).as("text %d: %s", t, texts.get(t)).isEqualTo(want);
            equal += got.size();
            total += want.size();
        }
        assertThat(equal).isEqualTo(total).isEqualTo(365);
    }

    @Test
    void tokensOfAll320TextsEqualSparkNlps() throws IOException {
        List<String> texts = texts();
        List<List<JsonNode>> expected = byText("tokens.jsonl", texts.size());
        int equal = 0;
        for (int t = 0; t < texts.size(); t++) {
            List<String> want = expected.get(t).stream().map(SparkNlpTextTest::describe).toList();
            List<String> got = SparkNlpTokenizer.tokenize(SparkNlpSentenceDetector.detect(texts.get(t))).stream()
                    .map(k -> describe(k.text(), k.begin(), k.end(), k.sentence())).toList();
            assertThat(got).as("text %d: %s", t, texts.get(t)).isEqualTo(want);
            equal += got.size();
        }
        assertThat(equal).isEqualTo(5678);
    }

    /**
     * Other texts: the 351 tokenizer golden strings (Unicode oddities, control characters, CJK, emoji), whose
     * sentences and tokens the real Spark NLP 5.5.3 gave in scripts/check-spark-nlp-interop (written to the test
     * resource sparknlp/tokenizer-goldens.spark-nlp-5.5.3.jsonl by its reader).
     */
    @Test
    void sentencesAndTokensOfTheGoldenStringsEqualSparkNlps() throws IOException {
        List<String> texts = new ArrayList<>();
        for (JsonNode n : Shared.jsonl(Shared.path("fixtures/tokenizers/bert-base-uncased.jsonl"))) texts.add(n.get("text").asText());
        List<String> lines;
        try (var in = SparkNlpTextTest.class.getResourceAsStream("/sparknlp/tokenizer-goldens.spark-nlp-5.5.3.jsonl")) {
            assertThat(in).as("the Spark NLP golden resource").isNotNull();
            lines = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        }
        assertThat(lines).hasSize(texts.size());
        int sentences = 0, tokens = 0;
        for (String line : lines) {
            JsonNode row = Shared.JSON.readTree(line);
            String text = texts.get(row.get("id").asInt());
            List<String> want = new ArrayList<>(), got = new ArrayList<>();
            for (JsonNode s : row.get("sentences")) want.add(describe(s.get(2).asText(), s.get(0).asInt(), s.get(1).asInt(), want.size()));
            List<Sentence> detected = SparkNlpSentenceDetector.detect(text);
            for (Sentence s : detected) got.add(describe(s.text(), s.begin(), s.end(), s.index()));
            assertThat(got).as("sentences of %s", Shared.JSON.writeValueAsString(text)).isEqualTo(want);
            want.clear();
            got.clear();
            for (JsonNode t : row.get("tokens")) want.add(describe(t.get(2).asText(), t.get(0).asInt(), t.get(1).asInt(), t.get(3).asInt()));
            for (Token t : SparkNlpTokenizer.tokenize(detected)) got.add(describe(t.text(), t.begin(), t.end(), t.sentence()));
            assertThat(got).as("tokens of %s", Shared.JSON.writeValueAsString(text)).isEqualTo(want);
            sentences += detected.size();
            tokens += got.size();
        }
        assertThat(sentences).isGreaterThan(400);
        assertThat(tokens).isGreaterThan(2000);
    }

    @Test
    void firstPieceOfEveryTokenIsSparkNlpsPieceId() throws IOException {
        SparkNlpWordPieces pieces = new SparkNlpWordPieces(bertUncasedVocab(), false);
        List<String> texts = texts();
        List<List<JsonNode>> expected = byText("annotations.jsonl", texts.size());
        int checked = 0;
        for (int t = 0; t < texts.size(); t++) {
            List<Token> tokens = SparkNlpTokenizer.tokenize(SparkNlpSentenceDetector.detect(texts.get(t)));
            assertThat(tokens).hasSameSizeAs(expected.get(t));
            for (int k = 0; k < tokens.size(); k++) {
                Token tok = tokens.get(k);
                List<SparkNlpWordPieces.Piece> p = pieces.encode(tok.text(), tok.begin());
                JsonNode a = expected.get(t).get(k);
                assertThat(p).as("text %d token %s", t, tok).isNotEmpty();
                assertThat(p.get(0).id()).as("text %d token %s", t, tok).isEqualTo(a.get("metadata").get("pieceId").asInt());
                assertThat(p.get(0).begin()).isEqualTo(tok.begin());
                checked++;
            }
        }
        assertThat(checked).isEqualTo(5678);
    }

    @Test
    void onlyTheFirstBasicWordOfATokenIsCut() {
        SparkNlpWordPieces pieces = new SparkNlpWordPieces(bertUncasedVocab(), false);
        assertThat(ids(pieces, "don't")).containsExactly("don");
        assertThat(ids(pieces, "$1,234.56")).containsExactly("$");
        assertThat(ids(pieces, "E-mail")).containsExactly("e");
        assertThat(ids(pieces, "Antidisestablishmentarianism")).first().isEqualTo("anti");
        assertThat(ids(pieces, "Antidisestablishmentarianism")).allMatch(p -> p.equals("anti") || p.startsWith("##"));
        assertThat(ids(pieces, "Café")).containsExactly("cafe");
        // an en dash is no punctuation to Spark NLP (its Unicode name has no PUNCTUATION): one word, no piece for it
        assertThat(ids(pieces, "a\u2013b")).isNotEqualTo(List.of("a"));
        assertThat(ids(pieces, "x".repeat(201))).containsExactly("[UNK]");
        assertThat(ids(pieces, "\u0001")).isEmpty();
        // case sensitive: no lower-casing, so the uncased vocabulary has no "Hello"
        assertThat(new SparkNlpWordPieces(bertUncasedVocab(), true).encode("Hello", 0)).extracting(SparkNlpWordPieces.Piece::piece)
                .doesNotContain("hello");
        assertThatThrownBy(() -> new SparkNlpWordPieces(Map.of("a", 0), false)).hasMessageContaining("[UNK]");
    }

    @Test
    void rulesSparkNlpDocuments() {
        // the examples of Spark NLP's own documentation and the rules it states
        assertThat(texts(SparkNlpSentenceDetector.detect("This is my first sentence. This my second. How about a third?")))
                .containsExactly("This is my first sentence.", "This my second.", "How about a third?");
        assertThat(SparkNlpSentenceDetector.detect("This is my first sentence. This my second."))
                .containsExactly(new Sentence(0, "This is my first sentence.", 0, 25), new Sentence(1, "This my second.", 27, 41));
        assertThat(texts(SparkNlpSentenceDetector.detect("Mr. Smith paid 3.5 dollars; he left."))).containsExactly(
                "Mr. Smith paid 3.5 dollars;", "he left.");
        assertThat(SparkNlpSentenceDetector.detect("")).isEmpty();
        assertThat(SparkNlpSentenceDetector.detect("  \n ")).isEmpty();
        assertThatThrownBy(() -> SparkNlpSentenceDetector.detect(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SparkNlpTokenizer.tokenize("\"(Hello, world!\" ... x", 10, 3)).containsExactly(
                new Token("\"(", 10, 11, 3), new Token("Hello", 12, 16, 3), new Token(",", 17, 17, 3),
                new Token("world", 19, 23, 3), new Token("!\"", 24, 25, 3), new Token("...", 27, 29, 3), new Token("x", 31, 31, 3));
        // a no-break space is no separator (Java's \s), a tab is
        assertThat(SparkNlpTokenizer.tokenize("a\u00A0b\tc", 0, 0)).extracting(Token::text).containsExactly("a\u00A0b", "c");
    }

    private static List<String> texts(List<Sentence> s) {
        return s.stream().map(Sentence::text).toList();
    }

    private static List<String> ids(SparkNlpWordPieces pieces, String token) {
        return pieces.encode(token, 0).stream().map(SparkNlpWordPieces.Piece::piece).toList();
    }

    static Map<String, Integer> bertUncasedVocab() {
        try {
            Path f = Shared.path("fixtures/vocab/bert-base-uncased/vocab.txt");
            Map<String, Integer> vocab = new HashMap<>();
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) vocab.put(lines.get(i), i);
            return vocab;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
