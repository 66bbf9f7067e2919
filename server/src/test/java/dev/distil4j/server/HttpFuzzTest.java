package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.distil4j.server.ServerFixtures.JSON;
import static dev.distil4j.server.ServerFixtures.diff;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.tinyModels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A bounded fuzz of the HTTP JSON bodies: a few thousand mutations (fixed seed) of valid requests to
 * every POST route, byte-level (flips, cuts, copies, stray tokens, invalid UTF-8) and JSON-level (a
 * field's value replaced by another type, a huge or negative number, a long string, deep nesting).
 * Every answer must be JSON with a 2xx or 4xx status; errors in the route's shape, naming no Java or
 * Jetty internals; and afterwards the server answers a valid request as it did before.
 */
class HttpFuzzTest {
    static final int MUTATIONS = 3000;
    static final long SEED = 20261202L;

    @TempDir
    Path tmp;

    record Seed(String route, String body) {}

    static final List<Seed> SEEDS = List.of(
            new Seed("/models/mlm", "{\"inputs\": \"the capital of france is [MASK] .\", \"parameters\": {\"top_k\": 3, \"targets\": [\"paris\", \"the\"]}}"),
            new Seed("/transformers/mlm", "{\"inputs\": [\"a [MASK] b\", \"[MASK] [MASK]\"], \"parameters\": {\"top_k\": 2}}"),
            new Seed("/models/cls", "{\"inputs\": [\"a fine day\", {\"text\": \"a\", \"text_pair\": \"b\"}], "
                    + "\"parameters\": {\"top_k\": null, \"truncation\": true, \"max_length\": 10, \"function_to_apply\": \"sigmoid\"}}"),
            new Seed("/models/qa", "{\"inputs\": {\"question\": \"where?\", \"context\": \"anna lives in paris .\"}, "
                    + "\"parameters\": {\"top_k\": 2, \"max_seq_len\": 32, \"doc_stride\": 8, \"handle_impossible_answer\": true}}"),
            new Seed("/models/ner", "{\"inputs\": [\"anna lives in paris\"], \"parameters\": {\"aggregation_strategy\": \"simple\", \"stride\": 4}}"),
            new Seed("/pipeline/feature-extraction/cls", "{\"inputs\": \"hello\", \"truncate\": true}"),
            new Seed("/embed", "{\"inputs\": [\"a\", \"b\"], \"normalize\": false, \"dimensions\": 8, \"truncate\": true, \"truncation_direction\": \"Left\"}"),
            new Seed("/embed_all", "{\"inputs\": \"hello world\"}"),
            new Seed("/embed_sparse", "{\"inputs\": \"hello\", \"truncate\": true}"),
            new Seed("/tokenize", "{\"inputs\": [\"hello world\"], \"add_special_tokens\": false}"),
            new Seed("/decode", "{\"ids\": [[1, 2, 3]], \"skip_special_tokens\": true}"),
            new Seed("/similarity", "{\"inputs\": {\"source_sentence\": \"a\", \"sentences\": [\"b\", \"c\"]}, \"parameters\": {\"truncate\": true}}"),
            new Seed("/v1/embeddings", "{\"input\": [\"a\", \"b\"], \"model\": \"mlm\", \"encoding_format\": \"base64\", \"dimensions\": 4}"),
            new Seed("/", "{\"inputs\": \"a [MASK]\", \"parameters\": {}}"),
            new Seed("/predict", "{\"inputs\": [[\"a\", \"b\"]], \"raw_scores\": true}"));

    static final String[] STRAY = {"{", "}", "[", "]", "\"", ",", ":", "null", "true", "-1", "0", "1e309", "-0.0", "2147483648",
            "99999999999999999999999", "\"\\ud800\"", "\\", "\\u0000", "[MASK]", "{\"inputs\": ", "\"inputs\"", "\u00e9", "\uD83D\uDE00",
            "[[[[[[[[", "]]]]", "NaN", "Infinity", "/*", "'", "\t", "\u2028"};

    @Test
    void mutatedBodiesGetJsonAnswersNever5xx() throws Exception {
        var models = tinyModels(tmp, "distilbert-mlm", "distilbert-seqcls", "distilbert-qa", "distilbert-tokcls");
        var served = new java.util.LinkedHashMap<String, Path>();
        served.put("mlm", models.get("distilbert-mlm"));
        served.put("cls", models.get("distilbert-seqcls"));
        served.put("qa", models.get("distilbert-qa"));
        served.put("ner", models.get("distilbert-tokcls"));
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
        try (InferenceServer server = InferenceServer.start(served, ServerOptions.builder().port(0).build())) {
            Random rnd = new Random(SEED);
            List<Seed> cases = new ArrayList<>(MUTATIONS);
            for (int i = 0; i < MUTATIONS; i++) {
                Seed s = SEEDS.get(rnd.nextInt(SEEDS.size()));
                cases.add(new Seed(s.route(), mutate(s, rnd)));
            }
            var before = post(http, server.url() + "/models/mlm", SEEDS.get(0).body());
            assertEquals(200, before.status());

            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            int[] byClass = new int[6];
            try (var pool = Executors.newFixedThreadPool(4)) {
                List<Future<?>> done = new ArrayList<>();
                for (Seed c : cases) {
                    done.add(pool.submit(() -> {
                        byte[] body = c.body().getBytes(StandardCharsets.ISO_8859_1); // mutated bytes, as they are
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + c.route()))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        String problem = check(c.route(), r);
                        synchronized (byClass) {
                            byClass[r.statusCode() / 100]++;
                        }
                        if (problem != null) problems.add(problem + "\n  route " + c.route() + ", body " + abbreviate(c.body()));
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get(120, TimeUnit.SECONDS);
            }
            assertThat(problems).as("answers that are not JSON 2xx/4xx without internals").isEmpty();
            assertThat(byClass[2]).as("some mutations are still valid requests").isPositive();
            assertThat(byClass[4]).as("most are refused").isGreaterThan(MUTATIONS / 3);
            assertEquals(0, byClass[5]);

            var after = post(http, server.url() + "/models/mlm", SEEDS.get(0).body());
            assertEquals(200, after.status(), "the server still answers");
            assertNull(diff(before.body(), after.body(), 1e-5, "$"), "and answers as before");
            System.out.printf("fuzz: %d bodies: %d 2xx, %d 4xx%n", MUTATIONS, byClass[2], byClass[4]);
        }
    }

    /** Null when the answer is fine, else what is wrong with it. */
    static String check(String route, HttpResponse<String> r) {
        int status = r.statusCode();
        if (status < 200 || status >= 500 || (status >= 300 && status < 400)) return "status " + status + ": " + abbreviate(r.body());
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("application/json")) return "Content-Type " + type + " (status " + status + ")";
        String body = r.body();
        for (String internal : List.of("java.", "Exception", "Jetty", "jetty", "at dev.distil4j", "<html")) {
            if (body.contains(internal)) return "answer names " + internal + ": " + abbreviate(body);
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (Exception e) {
            return "not JSON: " + abbreviate(body);
        }
        if (status >= 400) {
            boolean openAi = route.equals("/v1/embeddings");
            JsonNode e = n.get("error");
            boolean ok = openAi ? e != null && e.path("message").isTextual() && e.path("type").isTextual()
                    : e != null && e.isTextual() && n.path("error_type").isTextual();
            if (!ok) return "error without the route's shape: " + abbreviate(body);
        }
        return null;
    }

    static String mutate(Seed s, Random rnd) {
        String body = s.body();
        int rounds = 1 + rnd.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            body = switch (rnd.nextInt(8)) {
                case 0 -> flip(body, rnd);
                case 1 -> cut(body, rnd);
                case 2 -> copy(body, rnd);
                case 3 -> insert(body, STRAY[rnd.nextInt(STRAY.length)], rnd);
                case 4, 5 -> replaceValue(body, rnd);
                case 6 -> body.substring(0, rnd.nextInt(body.length() + 1));
                default -> splice(body, SEEDS.get(rnd.nextInt(SEEDS.size())).body(), rnd);
            };
        }
        return body;
    }

    /** A byte replaced by any byte (the body is sent as ISO-8859-1, so chars 0-255 are the bytes: invalid UTF-8 included). */
    static String flip(String b, Random rnd) {
        if (b.isEmpty()) return b;
        char[] c = b.toCharArray();
        c[rnd.nextInt(c.length)] = (char) rnd.nextInt(256);
        return new String(c);
    }

    static String cut(String b, Random rnd) {
        if (b.isEmpty()) return b;
        int from = rnd.nextInt(b.length()), to = Math.min(b.length(), from + 1 + rnd.nextInt(12));
        return b.substring(0, from) + b.substring(to);
    }

    static String copy(String b, Random rnd) {
        if (b.isEmpty()) return b;
        int from = rnd.nextInt(b.length()), to = Math.min(b.length(), from + 1 + rnd.nextInt(20));
        int at = rnd.nextInt(b.length() + 1);
        return b.substring(0, at) + b.substring(from, to) + b.substring(at);
    }

    static String insert(String b, String what, Random rnd) {
        int at = rnd.nextInt(b.length() + 1);
        return b.substring(0, at) + utf8AsLatin1(what) + b.substring(at);
    }

    static String splice(String a, String b, Random rnd) {
        return a.substring(0, rnd.nextInt(a.length() + 1)) + b.substring(rnd.nextInt(b.length() + 1));
    }

    /** One value of the parsed body (when it still parses) replaced by another kind of value. */
    static String replaceValue(String b, Random rnd) {
        JsonNode root;
        try {
            root = JSON.readTree(b);
        } catch (Exception e) {
            return flip(b, rnd);
        }
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        if (containers.isEmpty()) return b;
        JsonNode c = containers.get(rnd.nextInt(containers.size()));
        JsonNode v = randomValue(rnd);
        if (c instanceof ObjectNode o && o.size() > 0) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            o.set(rnd.nextInt(5) == 0 ? "extra" + rnd.nextInt(3) : names.get(rnd.nextInt(names.size())), v);
        } else if (c instanceof ArrayNode a) {
            if (a.isEmpty() || rnd.nextBoolean()) a.add(v);
            else a.set(rnd.nextInt(a.size()), v);
        }
        return utf8AsLatin1(root.toString());
    }

    static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) out.add(n);
        for (JsonNode c : n) collect(c, out);
    }

    static JsonNode randomValue(Random rnd) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (rnd.nextInt(16)) {
            case 0 -> f.nullNode();
            case 1 -> f.booleanNode(rnd.nextBoolean());
            case 2 -> f.numberNode(rnd.nextInt(2001) - 1000);
            case 3 -> f.numberNode(Integer.MAX_VALUE);
            case 4 -> f.numberNode(Long.MIN_VALUE);
            case 5 -> f.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 6 -> f.numberNode(rnd.nextDouble() * 1e6 - 5e5);
            case 7 -> f.textNode("[MASK] ".repeat(rnd.nextInt(80)));
            case 8 -> f.textNode("x".repeat(rnd.nextInt(20_000)));
            case 9 -> f.textNode("\uD83D\uDE00 é ß \u0000 \u200b" + rnd.nextInt());
            case 10 -> f.arrayNode();
            case 11 -> f.objectNode();
            case 12 -> {
                ArrayNode a = f.arrayNode();
                for (int i = 0; i < rnd.nextInt(60); i++) a.add("a [MASK] b " + i);
                yield a;
            }
            case 13 -> {
                JsonNode deep = f.arrayNode();
                for (int i = 0; i < 100 + rnd.nextInt(1500); i++) deep = f.arrayNode().add(deep);
                yield deep;
            }
            case 14 -> f.objectNode().put("question", "q").put("context", "c ".repeat(rnd.nextInt(500)));
            default -> f.textNode("");
        };
    }

    static String utf8AsLatin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " chars)";
    }
}
