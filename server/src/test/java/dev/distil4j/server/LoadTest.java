package dev.distil4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
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
 * within its limit, and the server must recover once the load stops.
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
}
