package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static dev.distil4j.server.ServerFixtures.JSON;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static dev.distil4j.server.ServerFixtures.withFastTokenizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17: what one request can make the server do. Each class of problem with several inputs: work
 * limits checked before anything is queued (fill-mask top_k and predictions, question-answering
 * windows, long inputs), malformed HTTP and JSON answered 4xx as JSON, failures inside the server
 * answered as a JSON 500 with one log line, and no answer naming Jetty, its version or a Java class.
 */
class HardeningTest {
    @TempDir
    static Path tmp;
    static InferenceServer server;
    /**
     * A client per test: the server here closes idle connections after 1 s, so a connection pooled by an earlier
     * test may be closed just as a request reuses it (the client then reads no response at all).
     */
    static HttpClient http;

    @BeforeEach
    void freshClient() {
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void closeClient() {
        http.close();
    }
    static final Logger LOG = Logger.getLogger(HttpApi.class.getName()); // held: JUL keeps loggers weakly
    static final List<LogRecord> logged = java.util.Collections.synchronizedList(new ArrayList<>());
    static final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            logged.add(r);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    static final int VOCAB = 266; // distilbert-mlm

    @BeforeAll
    static void start() throws Exception {
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("mlm", shared("fixtures/models/distilbert-mlm"));
        models.put("my model", shared("fixtures/models/distilbert-seqcls"));
        models.put("modèle", shared("fixtures/models/roberta-seqcls"));
        models.put("qa", withFastTokenizer("distilbert-qa", tmp));
        models.put("ner", withFastTokenizer("distilbert-tokcls", tmp));
        models.put("regex", regexTokenizerModel(tmp));
        server = InferenceServer.start(models, ServerOptions.builder().port(0).idleTimeout(Duration.ofSeconds(1)).build());
        LOG.addHandler(capture);
    }

    @AfterAll
    static void stop() {
        LOG.removeHandler(capture);
        server.close();
    }

    /**
     * The token classifier with a tokenizer.json whose pre-tokenizer is a Split regex with alternation:
     * Java's regex engine recurses per character there, so a long input overflows the stack.
     */
    static Path regexTokenizerModel(Path tmp) throws IOException {
        Path dir = withFastTokenizer("distilbert-tokcls", tmp.resolve("regex"));
        ObjectNode tj = (ObjectNode) JSON.readTree(shared("fixtures/goldens/distilbert-tokcls/tokenizer.json").toFile());
        tj.putObject("pre_tokenizer").put("type", "Split").put("behavior", "Isolated").put("invert", false)
                .putObject("pattern").put("Regex", "(?:x|y)+");
        Files.delete(dir.resolve("tokenizer.json"));
        JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tj);
        return dir;
    }

    static String url(String path) {
        return server.url() + path;
    }

    /** The model's token count in /metrics: what its worker has run. */
    static double tokensRun(String model) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(url("/metrics"))).build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith("distil4j_tokens_total{model=\"" + model + "\"}")) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return 0;
    }

    /** A JSON error with TEI's fields, naming neither Java nor Jetty. */
    static JsonNode assertJsonError(int status, int gotStatus, String body) throws IOException {
        assertEquals(status, gotStatus, body);
        JsonNode n = JSON.readTree(body);
        assertTrue(n.get("error").isTextual(), body);
        assertTrue(n.get("error_type").isTextual(), body);
        assertThat(body).doesNotContainIgnoringCase("jetty").doesNotContain("java.").doesNotContain("Exception")
                .doesNotContain("StackOverflow").doesNotContain("OutOfMemory").doesNotContain("<html");
        return n;
    }

    static JsonNode assertJsonError(int status, ServerFixtures.Response r) throws IOException {
        assertThat(r.raw().headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.raw().headers().firstValue("Server")).isEmpty();
        return assertJsonError(status, r.status(), r.raw().body());
    }

    // ------------------------------------------------------------------ work limits

    @Test
    void fillMaskTopKIsCappedAtTheVocabulary() throws Exception {
        String text = "{\"inputs\": \"the capital of france is [MASK] .\", \"parameters\": {\"top_k\": %s}}";
        var all = post(http, url("/models/mlm"), text.formatted(VOCAB));
        assertEquals(200, all.status());
        assertEquals(VOCAB, all.body().size());
        for (String k : List.of("267", "1000000000", "2147483647")) {
            for (String route : List.of("/models/mlm", "/transformers/mlm")) {
                var r = post(http, url(route), text.formatted(k));
                assertEquals(200, r.status(), r.raw().body());
                assertEquals(VOCAB, r.body().size(), "top_k " + k + " on " + route);
                assertEquals(all.body().get(0).get("token"), r.body().get(0).get("token"));
            }
        }
        var targets = post(http, url("/models/mlm"), "{\"inputs\": \"[MASK] is nice\", \"parameters\": {\"top_k\": 2147483647, "
                + "\"targets\": [\"paris\", \"the\", \"paris\"]}}");
        assertEquals(200, targets.status());
        assertEquals(2, targets.body().size(), "capped at the distinct targets");
        for (String k : List.of("0", "-1", "2147483648", "1e9", "\"5\"")) {
            assertJsonError(422, post(http, url("/models/mlm"), text.formatted(k)));
        }
    }

    @Test
    void fillMaskPredictionsAreBoundedBeforeQueueing() throws Exception {
        double before = tokensRun("mlm");
        String manyMasks = "[MASK] ".repeat(62).trim();
        List<String> bodies = List.of(
                // one input, 62 masks, the whole vocabulary each: 16,492 predictions
                "{\"inputs\": \"" + manyMasks + "\", \"parameters\": {\"top_k\": 1000000000}}",
                // the 479-byte request: many masks, a huge top_k
                "{\"inputs\": \"" + "[MASK] ".repeat(60) + "\", \"parameters\": {\"top_k\": 2147483647}}",
                // 32 inputs of one mask, top_k 33: 1,056 predictions
                "{\"inputs\": [" + String.join(",", java.util.Collections.nCopies(32, "\"a [MASK] b\"")) + "], \"parameters\": {\"top_k\": 33}}",
                // several masks times a moderate top_k
                "{\"inputs\": [\"" + manyMasks + "\", \"" + manyMasks + "\"], \"parameters\": {\"top_k\": 9}}");
        for (String b : bodies) {
            JsonNode e = assertJsonError(422, post(http, url("/models/mlm"), b));
            assertThat(e.get("error").asText()).contains("--max-predictions").contains("1024");
        }
        assertEquals(before, tokensRun("mlm"), "refused before anything was queued");
        assertEquals(0, server.queued("mlm"));
        // at the limit: answered, and the answer's size is bounded by it
        var ok = post(http, url("/models/mlm"), "{\"inputs\": [" + String.join(",", java.util.Collections.nCopies(32, "\"a [MASK] b\""))
                + "], \"parameters\": {\"top_k\": 32}}");
        assertEquals(200, ok.status());
        assertEquals(32, ok.body().size());
        assertEquals(32, ok.body().get(31).size());
        assertThat(ok.raw().body().length()).isLessThan(400_000);
    }

    @Test
    void questionAnsweringWindowsAreBoundedBeforeQueueing() throws Exception {
        double before = tokensRun("qa");
        String big = "anna lives in paris and bob lives in london . ".repeat(40_000); // 1.84 MB
        List<String> bodies = List.of(
                "{\"inputs\": {\"question\": \"where does bob live?\", \"context\": \"" + big + "\"}, "
                        + "\"parameters\": {\"max_seq_len\": 24, \"doc_stride\": 1}}",
                "{\"inputs\": {\"question\": \"where does bob live?\", \"context\": \"" + big + "\"}}",
                "{\"inputs\": {\"question\": \"where?\", \"context\": \"" + big.substring(0, 20_000) + "\"}, \"parameters\": {\"top_k\": 3}}");
        for (String b : bodies) {
            JsonNode e = assertJsonError(422, post(http, url("/models/qa"), b));
            assertThat(e.get("error").asText()).as(b.substring(b.length() - 80)).contains("--max-request-windows");
        }
        // token classification split by a stride: the same limit
        JsonNode ner = assertJsonError(422, post(http, url("/models/ner"), "{\"inputs\": \"" + big.substring(0, 200_000)
                + "\", \"parameters\": {\"stride\": 8}}"));
        assertThat(ner.get("error").asText()).contains("--max-request-windows");
        assertEquals(before, tokensRun("qa"), "refused before anything was queued");

        // within the limits: answered, top_k capped at the spans the context has
        String ctx = "anna lives in paris .";
        var capped = post(http, url("/models/qa"), "{\"inputs\": {\"question\": \"where?\", \"context\": \"" + ctx
                + "\"}, \"parameters\": {\"top_k\": 2147483647}}");
        assertEquals(200, capped.status(), capped.raw().body());
        assertThat(capped.body().size()).isBetween(2, 10 * 10);
        var windows = post(http, url("/models/qa"), "{\"inputs\": {\"question\": \"where does bob live?\", \"context\": \""
                + big.substring(0, 2_000) + "\"}}");
        assertEquals(200, windows.status(), windows.raw().body());
        JsonNode answer = windows.body();
        assertEquals(big.substring(answer.get("start").asInt(), answer.get("end").asInt()), answer.get("answer").asText());
        // question answering's top_k is bounded by --max-predictions too
        JsonNode manyAnswers = assertJsonError(422, post(http, url("/models/qa"), "{\"inputs\": {\"question\": \"where?\", \"context\": \""
                + big.substring(0, 2_000) + "\"}, \"parameters\": {\"top_k\": 5000}}"));
        assertThat(manyAnswers.get("error").asText()).contains("--max-predictions");
    }

    @Test
    void longInputsAreTokenisedBeforeQueueingAndCountedAsTheModelRunsThem() throws Exception {
        String million = "a fine day in paris . ".repeat(46_000); // 1.01 million characters
        double cls = tokensRun("my model");
        var truncated = post(http, url("/models/my%20model"), "{\"inputs\": \"" + million + "\", \"parameters\": {\"truncation\": true}}");
        assertEquals(200, truncated.status(), truncated.raw().body());
        assertEquals(64, tokensRun("my model") - cls, "the model ran (and counted) the 64 tokens it takes, not the million characters");

        double mlm = tokensRun("mlm");
        var embed = post(http, url("/embed"), "{\"inputs\": \"" + million + "\", \"truncate\": true}");
        assertEquals(200, embed.status());
        var sparse = post(http, url("/embed_sparse"), "{\"inputs\": [\"" + million.substring(0, 300_000) + "\"], \"truncate\": true}");
        assertEquals(200, sparse.status());
        assertEquals(128, tokensRun("mlm") - mlm);

        // without truncation: refused before queueing, on every route that would otherwise run it
        List<String[]> refused = List.of(
                new String[] {"/models/my%20model", "{\"inputs\": \"" + million + "\"}"},
                new String[] {"/embed", "{\"inputs\": \"" + million + "\"}"},
                new String[] {"/embed_all", "{\"inputs\": [\"hi\", \"" + million.substring(0, 100_000) + "\"]}"},
                new String[] {"/models/mlm", "{\"inputs\": \"[MASK] " + million.substring(0, 100_000) + "\"}"},
                new String[] {"/v1/embeddings", "{\"input\": \"" + million + "\"}"});
        double before = tokensRun("mlm") + tokensRun("my model");
        for (String[] r : refused) {
            var got = post(http, url(r[0]), r[1]);
            assertEquals(422, got.status(), r[0] + ": " + got.raw().body().substring(0, Math.min(300, got.raw().body().length())));
            // the length check counts no further than --max-request-tokens (16384 here): the million characters are not tokenised whole
            if (r[0].equals("/embed")) assertThat(got.raw().body()).contains("the input has more than 16384 tokens; model");
        }
        assertEquals(before, tokensRun("mlm") + tokensRun("my model"));
    }

    // ------------------------------------------------------------------ JSON bodies

    @Test
    void jsonNestedDeeperThanTheParserAllowsIs400() throws Exception {
        List<String> bodies = List.of("[".repeat(1001) + "]".repeat(1001), "[".repeat(5000),
                "{\"inputs\": " + "{\"a\": ".repeat(3000) + "1" + "}".repeat(3000) + "}",
                "{\"inputs\": \"a [MASK]\", \"parameters\": " + "[".repeat(200_000) + "}");
        for (String b : bodies) {
            for (String route : List.of("/models/mlm", "/embed", "/tokenize")) {
                JsonNode e = assertJsonError(400, post(http, url(route), b));
                assertThat(e.get("error").asText()).contains("nested more than 1000 levels");
            }
            var openAi = post(http, url("/v1/embeddings"), b);
            assertEquals(400, openAi.status());
            assertThat(openAi.body().get("error").get("message").asText()).contains("nested");
        }
        assertEquals(200, post(http, url("/models/mlm"), "{\"inputs\": \"a [MASK]\", \"x\": " + "[".repeat(998) + "]".repeat(998) + "}")
                .status(), "within the depth limit the body is read (the route ignores the extra field)");
    }

    @Test
    void trailingContentAndMalformedUtf8Are400() throws Exception {
        for (String garbage : List.of(" x", "{}", " ]", " 1", "\"s\"", " {\"a\": 1}", ",")) {
            JsonNode e = assertJsonError(400, post(http, url("/models/mlm"), "{\"inputs\": \"a [MASK]\"}" + garbage));
            assertThat(e.get("error").asText()).contains("after its JSON value");
        }
        assertEquals(200, post(http, url("/models/mlm"), "{\"inputs\": \"a [MASK]\"}  \n\t ").status(), "whitespace after is fine");
        byte[][] bad = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF},
                {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xC3}};
        for (byte[] b : bad) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("{\"inputs\": \"a [MASK] ".getBytes(StandardCharsets.UTF_8));
            body.writeBytes(b);
            body.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
            var r = http.send(HttpRequest.newBuilder(URI.create(url("/models/mlm")))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode e = assertJsonError(400, r.statusCode(), r.body());
            assertThat(e.get("error").asText()).contains("UTF-8");
        }
        // in the path: Jetty refuses bad UTF-8 itself, now as JSON
        for (String path : List.of("/models/%C0%AF", "/models/%E0%80%AFmlm", "/%C0%AE%C0%AE/models/mlm", "/models/%ED%A0%80")) {
            Raw r = raw("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
            assertJsonError(400, r);
        }
    }

    @Test
    void contentTypeAndContentEncodingAreHonouredOrRefused() throws Exception {
        String body = "{\"inputs\": \"paris is the [MASK] of france .\"}";
        var plain = post(http, url("/models/mlm"), body);
        assertEquals(200, plain.status());
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
                "application/json; charset=iso-8859-1", "application/json; charset=utf-16")) {
            var r = send("/models/mlm", body.getBytes(StandardCharsets.UTF_8), "Content-Type", type);
            assertJsonError(415, r.statusCode(), r.body());
        }
        for (String type : List.of("application/json", "application/json; charset=utf-8", "application/json;charset=\"UTF-8\"",
                "text/json", "application/vnd.api+json", "Application/JSON")) {
            var r = send("/models/mlm", body.getBytes(StandardCharsets.UTF_8), "Content-Type", type);
            assertEquals(200, r.statusCode(), type);
            assertEquals(plain.body(), JSON.readTree(r.body()));
        }
        var noType = http.send(HttpRequest.newBuilder(URI.create(url("/models/mlm"))).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, noType.statusCode(), "no Content-Type at all: read as JSON");

        for (String enc : List.of("gzip", "x-gzip", "deflate", "GZIP", "identity, gzip")) {
            byte[] zipped = compress(body.getBytes(StandardCharsets.UTF_8), !enc.equalsIgnoreCase("deflate"));
            var r = send("/models/mlm", zipped, "Content-Encoding", enc);
            assertEquals(200, r.statusCode(), enc + ": " + r.body());
            assertEquals(plain.body(), JSON.readTree(r.body()), "decoded, not read as it came: " + enc);
        }
        for (String enc : List.of("br", "zstd", "compress", "gzip, gzip", "bogus")) {
            var r = send("/models/mlm", compress(body.getBytes(StandardCharsets.UTF_8), true), "Content-Encoding", enc);
            assertJsonError(415, r.statusCode(), r.body());
        }
        var corrupt = send("/models/mlm", "not gzip at all".getBytes(StandardCharsets.UTF_8), "Content-Encoding", "gzip");
        assertJsonError(400, corrupt.statusCode(), corrupt.body());
        byte[] bomb = compress(("{\"inputs\": \"" + "a".repeat(3_000_000) + "\"}").getBytes(StandardCharsets.UTF_8), true);
        assertThat(bomb.length).isLessThan(100_000);
        var tooBig = send("/models/mlm", bomb, "Content-Encoding", "gzip");
        JsonNode e = assertJsonError(413, tooBig.statusCode(), tooBig.body());
        assertThat(e.get("error").asText()).contains("2000000 bytes");
    }

    @Test
    void servedNamesAreFoundDecoded() throws Exception {
        for (String path : List.of("/models/my%20model", "/models/mod%C3%A8le", "/pipeline/text-classification/my%20model",
                "/transformers/my%20model")) {
            var r = post(http, url(path), "{\"inputs\": \"a fine day\"}");
            assertEquals(200, r.status(), path + ": " + r.raw().body());
        }
        assertEquals("my model", JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url("/api/models/my%20model"))).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("id").asText());
        JsonNode missing = assertJsonError(404, post(http, url("/models/my%20modell"), "{\"inputs\": \"x\"}"));
        assertThat(missing.get("error").asText()).contains("\"my modell\"");
    }

    // ------------------------------------------------------------------ HTTP framing and Jetty's own errors

    @Test
    void jettysOwnErrorsAreJsonAndNameNoServer() throws Exception {
        record Case(String request, int status) {}
        List<Case> cases = List.of(
                new Case("BLAH\r\n\r\n", 400),
                new Case("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n", 431),
                new Case("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 414),
                new Case("POST /models/a%2Fb HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", 400),
                new Case("POST /models/%2e%2e/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", 400),
                new Case("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
                new Case("GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n", 400),
                new Case("POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}", 400),
                new Case("POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n", 400));
        for (Case c : cases) {
            Raw r = raw(c.request);
            assertEquals(c.status, r.status, c.request.substring(0, Math.min(60, c.request.length())) + "\n" + r.text);
            assertJsonError(c.status, r);
        }
        Raw ok = raw("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(200, ok.status);
        assertThat(ok.head.toLowerCase(Locale.ROOT)).doesNotContain("server:").doesNotContain("jetty").doesNotContain("x-powered-by");
    }

    @Test
    void aBodyShorterThanItsLengthOrBadlyChunkedIs4xx() throws Exception {
        // Content-Length larger than what is sent, the connection left open: 408 after the idle timeout (1 s here)
        for (String sent : List.of("", "{\"inputs\":", "{\"inputs\": \"a [MASK]\"}")) {
            Raw r = raw("POST /models/mlm HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nContent-Type: application/json\r\n\r\n" + sent);
            assertJsonError(408, r);
            assertThat(r.head.toLowerCase(Locale.ROOT)).contains("connection: close");
        }
        // the client closes its side early: 400
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("POST /models/mlm HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"in".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertJsonError(400, Raw.parse(s.getInputStream().readAllBytes()));
        }
        for (String chunk : List.of("ZZ\r\n{}\r\n0\r\n\r\n", "-1\r\n{}\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
                "2\r\n{}XX0\r\n\r\n", "2;" + "x".repeat(20_000) + "\r\n{}\r\n0\r\n\r\n")) {
            Raw r = raw("POST /models/mlm HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunk);
            assertThat(r.status).as(chunk.substring(0, 6)).isBetween(400, 499);
            assertJsonError(r.status, r);
        }
        Raw chunked = raw("POST /models/mlm HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\n{\"inp\r\n13\r\nuts\": \"a [MASK] b\"}\r\n0\r\n\r\n");
        assertEquals(200, chunked.status, "a well-formed chunked body is read: " + chunked.text);
    }

    @Test
    void aMaximumLengthBelowTheSpecialTokensIs422() throws Exception {
        List<String> params = List.of("{\"truncation\": true, \"max_length\": 1}", "{\"truncation\": \"longest_first\", \"max_length\": 1}",
                "{\"truncation\": true, \"max_length\": 0}", "{\"truncation\": true, \"max_length\": -5}");
        for (String route : List.of("/models/my%20model", "/transformers/modèle".replace("è", "%C3%A8"))) {
            for (String p : params) {
                assertJsonError(422, post(http, url(route), "{\"inputs\": \"a fine day in paris\", \"parameters\": " + p + "}"));
            }
            // a pair takes three (BERT) or four (RoBERTa) special tokens
            for (int max : new int[] {1, 2}) {
                assertJsonError(422, post(http, url(route), "{\"inputs\": {\"text\": \"a fine day\", \"text_pair\": \"in paris\"}, "
                        + "\"parameters\": {\"truncation\": true, \"max_length\": " + max + "}}"));
            }
        }
    }

    // ------------------------------------------------------------------ failures inside the server

    @Test
    void aStackOverflowInTheTokenizerIsOneJson500AndOneLogLine() throws Exception {
        String body = "{\"inputs\": \"" + "xy".repeat(100_000) + "\"}";
        for (int i = 0; i < 3; i++) {
            logged.clear();
            var r = post(http, url("/models/regex"), body);
            // 500 while the tokenizer overflows; a tokenizer that stops overflowing may answer or refuse it instead
            assertThat(r.status()).isIn(200, 422, 500);
            if (r.status() != 200) assertJsonError(r.status(), r);
            assertThat(logged).as("at most one log line per failed request").hasSizeLessThanOrEqualTo(1);
            if (r.status() == 500) assertThat(logged).singleElement().satisfies(l -> assertThat(l.getMessage()).contains("StackOverflowError"));
            for (LogRecord l : logged) {
                assertThat(l.getThrown()).isNull();
                assertThat(l.getMessage()).doesNotContain("\n");
            }
        }
        assertEquals(200, post(http, url("/models/regex"), "{\"inputs\": \"xy xy\"}").status(), "the model still answers");
    }

    /** Any Throwable in a route, Errors included, is a JSON 500 naming nothing inside, with one log line and no stack trace. */
    @Test
    void throwablesAreOneLineJson500s() throws Exception {
        HttpApi api = new HttpApi(ServerOptions.builder().port(0).build(), new ServerMetrics());
        List<Throwable> failures = List.of(new StackOverflowError(), new OutOfMemoryError("Java heap space"), new AssertionError("x"),
                new NullPointerException("Cannot invoke \"java.lang.String.length()\""), new IllegalStateException("line 1\nline 2\njava.lang"),
                new LinkageError("dev.distil4j.Foo"));
        for (int i = 0; i < failures.size(); i++) {
            Throwable t = failures.get(i);
            api.route("POST", "/fail" + i, "fail", c -> {
                if (t instanceof Error e) throw e;
                throw (RuntimeException) t;
            });
        }
        api.route("POST", "/ok", "ok", c -> HttpApi.Reply.json(c.json()));
        api.start();
        api.state(HttpApi.State.READY);
        try {
            for (int i = 0; i < failures.size(); i++) {
                logged.clear();
                var r = post(http, "http://127.0.0.1:" + api.port() + "/fail" + i, "{}");
                JsonNode e = assertJsonError(500, r);
                assertEquals("Backend", e.get("error_type").asText());
                assertThat(logged).hasSize(1);
                assertThat(logged.get(0).getThrown()).isNull();
                assertThat(logged.get(0).getMessage()).doesNotContain("\n").contains(failures.get(i).getClass().getName());
            }
            assertEquals(200, post(http, "http://127.0.0.1:" + api.port() + "/ok", "{\"a\": 1}").status());
        } finally {
            api.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    static byte[] compress(byte[] data, boolean gzip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var z = gzip ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    static HttpResponse<String> send(String path, byte[] body, String header, String value) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).header(header, value).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A raw HTTP exchange: status, head and body as sent. */
    record Raw(int status, String head, String text) {
        static Raw parse(byte[] bytes) {
            String all = new String(bytes, StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            if (split < 0) throw new AssertionError("no HTTP answer: " + all);
            String head = all.substring(0, split);
            return new Raw(Integer.parseInt(head.split(" ")[1]), head, all.substring(split + 4));
        }
    }

    static Raw raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                s.getInputStream().transferTo(out);
            } catch (SocketTimeoutException e) {
                // the answer came, the connection stayed open
            }
            return Raw.parse(out.toByteArray());
        }
    }

    static void assertJsonError(int status, Raw r) throws IOException {
        assertThat(r.head.toLowerCase(Locale.ROOT)).contains("content-type: application/json").doesNotContain("server:");
        assertJsonError(status, r.status, r.text);
    }
}
