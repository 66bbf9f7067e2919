package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.distil4j.server.ServerFixtures.diff;
import static dev.distil4j.server.ServerFixtures.post;
import static dev.distil4j.server.ServerFixtures.shared;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Loopback load, bounded in count and time: 64 concurrent clients (virtual threads, the JDK
 * HttpClient), mixed input sizes. Every answer must equal the answer to the same request sent
 * alone; nothing may be lost; no 5xx. With a small queue, 429s must appear, the queue must stay
 * within its limit, and the server must recover once the load stops. And one client sending the
 * most expensive requests the limits allow must not starve the others (issue 17).
 */
class LoadTest {
    static final int CLIENTS = 64, REQUESTS_PER_CLIENT = 12;

    static List<String> bodies() {
        String[] words = {"the", "cat", "sleeps", "on", "warm", "mat", "anna", "wrote", "letter", "paris", "[MASK]"};
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 2 + (i * 7) % 40; // 2 to 41 words: mixed sizes
            for (int w = 0; w < n; w++) sb.append(words[(i + w * 3) % (words.length - 1)]).append(' ');
            sb.append("[MASK] .");
            String params = i % 3 == 0 ? ", \"parameters\": {\"top_k\": 3}" : "";
            bodies.add("{\"inputs\": \"" + sb + "\"" + params + "}");
        }
        return bodies;
    }

    @Test
    void sixtyFourClientsGetTheirOwnCorrectAnswers() throws Exception {
        Map<String, Path> models = Map.of("mlm", shared("fixtures/models/distilbert-mlm"));
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        try (InferenceServer server = InferenceServer.start(models, ServerOptions.builder().port(0).build())) {
            String url = server.url() + "/models/mlm";
            List<String> bodies = bodies();
            Map<String, JsonNode> alone = new ConcurrentHashMap<>();
            for (String b : bodies) {
                var r = post(http, url, b);
                assertEquals(200, r.status(), r.raw().body());
                alone.put(b, r.body());
            }
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger answered = new AtomicInteger();
            long start = System.nanoTime();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    clients.add(pool.submit(() -> {
                        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                            String b = bodies.get((client * 5 + i) % bodies.size());
                            long t0 = System.nanoTime();
                            try {
                                var r = post(http, url, b);
                                latencies.add(System.nanoTime() - t0);
                                if (r.status() != 200) problems.add("HTTP " + r.status() + " " + r.raw().body());
                                else if (diff(alone.get(b), r.body(), 1e-6, "$") != null) problems.add("wrong answer for " + b);
                                else answered.incrementAndGet();
                            } catch (Exception e) {
                                problems.add(e.toString());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) f.get(120, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(problems).isEmpty();
            assertEquals(CLIENTS * REQUESTS_PER_CLIENT, answered.get(), "none lost");
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            System.out.printf("load: %d clients x %d requests: %.0f req/s, p50 %.1f ms, p99 %.1f ms%n", CLIENTS, REQUESTS_PER_CLIENT,
                    answered.get() / seconds, sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6);
        }
    }

    @Test
    void aSmallQueueAnswers429AndRecovers() throws Exception {
        Map<String, Path> models = Map.of("mlm", shared("fixtures/models/distilbert-mlm"));
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        ServerOptions o = ServerOptions.builder().port(0).maxQueue(4).build();
        try (InferenceServer server = InferenceServer.start(models, o)) {
            String url = server.url() + "/models/mlm";
            String body = bodies().get(5);
            AtomicInteger ok = new AtomicInteger(), tooMany = new AtomicInteger(), other = new AtomicInteger();
            AtomicInteger maxQueued = new AtomicInteger();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    clients.add(pool.submit(() -> {
                        for (int i = 0; i < 8; i++) {
                            var r = post(http, url, body);
                            if (r.status() == 200) ok.incrementAndGet();
                            else if (r.status() == 429 && r.raw().headers().firstValue("Retry-After").isPresent()) tooMany.incrementAndGet();
                            else other.incrementAndGet();
                            maxQueued.accumulateAndGet(server.queued("mlm"), Math::max);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(0, other.get(), "only 200 and 429");
            assertThat(tooMany.get()).as("429s under overload").isPositive();
            assertThat(ok.get()).isPositive();
            assertThat(maxQueued.get()).as("the queue never grows past its limit").isLessThanOrEqualTo(4);
            Thread.sleep(Duration.ofMillis(50));
            assertEquals(200, post(http, url, body).status(), "recovers once the load stops");
            System.out.printf("overload: %d ok, %d answered 429, max queue %d%n", ok.get(), tooMany.get(), maxQueued.get());
        }
    }

    /**
     * One client sends, back to back, the most expensive requests the default limits allow: fill-mask at
     * the prediction limit (32 inputs x top_k 32, and 62 masks x top_k 16), question answering at the
     * window limit, and a 1.9 MB input to classify with truncation. Meanwhile other clients' simple
     * requests (on the same model's worker, and another's) keep their median and 90th-percentile latency
     * within 5x of what they had on the idle server, measured just before in this test (plus 15 and 25 ms,
     * for a scheduler on a loaded 2-core machine); p99 and the maximum are printed, not asserted: there
     * the collector's pauses after a 2 MB input's tokenisation show. The server runs in its own JVM with
     * a 768 MB heap: an answer it could not give within that (the issue saw 4 to 6 GB) would be a 500,
     * and every answer must be right; its resident memory stays under 1.5 GB; nothing is lost.
     */
    @Test
    void anExpensiveClientDoesNotStarveTheOthers(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        var tiny = ServerFixtures.tinyModels(tmp, "distilbert-mlm", "distilbert-seqcls", "distilbert-qa");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = tmp.resolve("server.log");
        Process process = new ProcessBuilder(javaBin, "-Xmx768m", "-Xss8m", "--add-modules", "jdk.incubator.vector", "-cp", cp,
                LoadTestServer.class.getName(), "mlm=" + tiny.get("distilbert-mlm"), "cls=" + tiny.get("distilbert-seqcls"),
                "qa=" + tiny.get("distilbert-qa")).redirectError(log.toFile()).start();
        // platform threads for the test's own clients
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(4)).build();
        try {
            String first = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))
                    .readLine();
            assertThat(first).as("server start; its log: %s", log).startsWith("port ");
            String url = "http://127.0.0.1:" + first.substring(5);

            String simpleMask = "{\"inputs\": \"paris is the [MASK] of france .\"}";
            String simpleCls = "{\"inputs\": \"a fine day in paris\"}";
            List<String[]> simple = List.of(new String[] {"/models/mlm", simpleMask}, new String[] {"/models/cls", simpleCls});
            Map<String, JsonNode> expected = new ConcurrentHashMap<>();
            for (String[] s : simple) expected.put(s[0], post(http, url + s[0], s[1]).body());

            String oneMask = "\"a [MASK] b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p q r s t u v w\"";
            String manyMasks = "\"" + "[MASK] ".repeat(62).trim() + "\"";
            String context = "anna lives in paris and bob lives in london . ".repeat(200);
            List<String[]> expensive = List.of(
                    new String[] {"/models/mlm", "{\"inputs\": [" + String.join(",", Collections.nCopies(32, oneMask)) + "], \"parameters\": {\"top_k\": 32}}"},
                    new String[] {"/models/mlm", "{\"inputs\": " + manyMasks + ", \"parameters\": {\"top_k\": 16}}"},
                    new String[] {"/models/qa", "{\"inputs\": {\"question\": \"where?\", \"context\": \"" + context.substring(0, contextAtWindowLimit(http, url, context))
                            + "\"}, \"parameters\": {\"top_k\": 16}}"},
                    new String[] {"/models/cls", "{\"inputs\": \"" + "a fine day in paris . ".repeat(86_000) + "\", \"parameters\": {\"truncation\": true}}"});
            Map<String[], JsonNode> expensiveAnswers = new ConcurrentHashMap<>();
            for (String[] e : expensive) {
                var r = post(http, url + e[0], e[1]);
                assertEquals(200, r.status(), "within the limits: " + e[0]);
                expensiveAnswers.put(e, r.body());
            }

            long rssBefore = rssBytes(process.pid());
            List<Long> idle = simpleLatencies(http, url, simple, expected, () -> false);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            AtomicInteger expensiveDone = new AtomicInteger();
            List<String> problems = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicLong maxRss = new java.util.concurrent.atomic.AtomicLong();
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (!stop.get()) {
                    maxRss.accumulateAndGet(rssBytes(process.pid()), Math::max);
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Thread hog = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String[] e = expensive.get(i % expensive.size());
                    try {
                        var r = post(http, url + e[0], e[1]);
                        if (r.status() != 200) problems.add("expensive " + e[0] + ": HTTP " + r.status() + " " + r.raw().body());
                        else if (diff(expensiveAnswers.get(e), r.body(), 1e-5, "$") != null) problems.add("expensive " + e[0] + ": another answer");
                        else expensiveDone.incrementAndGet();
                    } catch (Exception x) {
                        problems.add("expensive " + e[0] + ": " + x);
                    }
                }
            });
            List<Long> loaded;
            try {
                while (expensiveDone.get() < expensive.size() && problems.isEmpty()) Thread.sleep(10);
                // at least the idle run's requests, and for as long as two more rounds of every expensive request take
                int until = expensiveDone.get() + 2 * expensive.size();
                loaded = simpleLatencies(http, url, simple, expected, () -> expensiveDone.get() < until && problems.isEmpty());
            } finally {
                stop.set(true);
                hog.join(120_000);
                sampler.join(10_000);
            }
            double idleP50 = percentile(idle, 50) / 1e6, loadedP50 = percentile(loaded, 50) / 1e6;
            double idleP90 = percentile(idle, 90) / 1e6, loadedP90 = percentile(loaded, 90) / 1e6;
            double idleP99 = percentile(idle, 99) / 1e6, loadedP99 = percentile(loaded, 99) / 1e6;
            double idleMax = percentile(idle, 100) / 1e6, loadedMax = percentile(loaded, 100) / 1e6;
            System.out.printf("expensive client: %d expensive requests; %d simple requests, idle / under load: p50 %.1f / %.1f ms (%.1fx), "
                            + "p90 %.1f / %.1f ms, p99 %.1f / %.1f ms, max %.1f / %.1f ms; server RSS %d MB idle, %d MB at most (heap limit 768 MB)%n",
                    expensiveDone.get(), loaded.size(), idleP50, loadedP50, loadedP50 / idleP50, idleP90, loadedP90, idleP99, loadedP99,
                    idleMax, loadedMax, rssBefore >> 20, maxRss.get() >> 20);
            assertThat(problems).isEmpty();
            assertThat(loaded).hasSizeGreaterThanOrEqualTo(idle.size());
            assertThat(loadedP50).as("median latency under load vs idle %.1f ms", idleP50).isLessThanOrEqualTo(5 * idleP50 + 15);
            assertThat(loadedP90).as("p90 latency under load vs idle %.1f ms", idleP90).isLessThanOrEqualTo(5 * idleP90 + 25);
            assertThat(maxRss.get() >> 20).as("the server's resident memory during the load, MB").isLessThan(1536);
            assertThat(Files.readString(log)).as("the server's log").doesNotContain("OutOfMemoryError").doesNotContain("SEVERE");
        } finally {
            process.destroy(); // SIGTERM: drains and exits
            if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly();
        }
    }

    /** The longest prefix of {@code context} (in 46-character steps) that question answering takes without passing the window limit. */
    static int contextAtWindowLimit(HttpClient http, String url, String context) throws Exception {
        int best = 46;
        for (int n = 46; n <= context.length(); n += 46) {
            var r = post(http, url + "/models/qa", "{\"inputs\": {\"question\": \"where?\", \"context\": \"" + context.substring(0, n) + "\"}}");
            if (r.status() != 200) break;
            best = n;
        }
        return best;
    }

    /** Latency of each of 4 clients' simple requests (alternating models): 50 each, and more while {@code more}; every answer checked. */
    static List<Long> simpleLatencies(HttpClient http, String url, List<String[]> simple, Map<String, JsonNode> expected,
                                      java.util.function.BooleanSupplier more) throws Exception {
        List<Long> out = Collections.synchronizedList(new ArrayList<>());
        try (var pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    for (int i = 0; i < 50 || more.getAsBoolean(); i++) {
                        String[] s = simple.get((client + i) % simple.size());
                        long t0 = System.nanoTime();
                        var r = post(http, url + s[0], s[1]);
                        long t = System.nanoTime() - t0;
                        assertEquals(200, r.status(), r.raw().body());
                        assertThat(diff(expected.get(s[0]), r.body(), 1e-5, "$")).isNull();
                        out.add(t);
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) f.get(300, TimeUnit.SECONDS);
        }
        return out;
    }

    static double percentile(List<Long> xs, int p) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, s.size() * p / 100));
    }

    /** A process's resident set (Linux's /proc), 0 where there is none. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or the process has ended
        }
        return 0;
    }
}
