package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.server.InferenceServer;
import dev.distil4j.server.ServerOptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServeCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> MODELS = List.of("distilbert-mlm", "distilbert-seqcls", "distilbert-tokcls", "distilbert-qa",
            "roberta-mlm", "roberta-seqcls");

    static Path shared(String rel) {
        Path p = Path.of(System.getProperty("distil4j.shared", "../../shared")).resolve(rel);
        if (!Files.exists(p)) throw new IllegalStateException("reference data missing: " + p.toAbsolutePath());
        return p;
    }

    static JsonNode post(HttpClient http, String url, String body) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /**
     * For every tiny model, TEI /embed with normalize false gives what `distil4j embed` prints, within
     * 1e-6, and OpenAI /v1/embeddings the same vector L2-normalised (OpenAI's and TEI's vectors are unit vectors).
     */
    @Test
    void serverEmbeddingsEqualTheEmbedCommand() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String text = "The cat sleeps on the warm mat near the door.";
        for (String m : MODELS) {
            Path dir = shared("fixtures/models/" + m);
            CliRun.Result cli = CliRun.run("", "embed", "--model", dir.toString(), text);
            assertEquals(0, cli.code(), cli.err());
            JsonNode expected = cli.lines().get(0).get("embedding");
            try (InferenceServer s = InferenceServer.start(Map.of(m, dir), ServerOptions.builder().port(0).build())) {
                JsonNode tei = post(http, s.url() + "/embed", "{\"inputs\": " + JSON.writeValueAsString(text) + ", \"normalize\": false}").get(0);
                JsonNode oai = post(http, s.url() + "/v1/embeddings", "{\"input\": " + JSON.writeValueAsString(text) + "}")
                        .get("data").get(0).get("embedding");
                assertEquals(expected.size(), tei.size(), m);
                assertEquals(expected.size(), oai.size(), m);
                double norm = 0;
                for (JsonNode x : expected) norm += x.asDouble() * x.asDouble();
                norm = Math.sqrt(norm);
                for (int i = 0; i < expected.size(); i++) {
                    assertEquals(expected.get(i).asDouble(), tei.get(i).asDouble(), 1e-6, m + " TEI [" + i + "]");
                    assertEquals(expected.get(i).asDouble() / norm, oai.get(i).asDouble(), 1e-6, m + " OpenAI [" + i + "]");
                }
            }
        }
    }

    /** A busy port is the user's to change: exit 2 and a line naming the port, not "internal error" and exit 1. */
    @Test
    void busyPortIsAUserErrorNamingThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String port = String.valueOf(taken.getLocalPort());
            CliRun.Result r = CliRun.run("", "serve", "--model", shared("fixtures/models/distilbert-mlm").toString(), "--port", port);
            assertEquals(2, r.code(), r.err());
            assertThat(r.err()).startsWith("distil4j serve: cannot listen on 127.0.0.1 port " + port + " (")
                    .contains("--port").doesNotContain("internal error").doesNotContain("Exception");
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    /**
     * SIGTERM during load, on a real `distil4j serve` process: requests in flight complete, new ones
     * are refused (503 while draining, then no listener), and the process exits 0.
     */
    @Test
    void sigtermDuringLoadDrainsAndExitsZero() throws Exception {
        Process p = new ProcessBuilder(CliProcess.command(List.of(),
                "serve", "--model", shared("fixtures/models/distilbert-mlm").toString(), "--port", "0"))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String url = null;
        Pattern serving = Pattern.compile("serving .* at (http://\\S+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> log = new ArrayList<>();
        while (url == null && System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) break;
            log.add(line);
            Matcher mm = serving.matcher(line);
            if (mm.find()) url = mm.group(1);
        }
        assertTrue(url != null, "server did not start: " + log);
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                while (out.readLine() != null) { /* keep the pipe flowing */ }
            } catch (IOException ignored) {
                // process gone
            }
        });

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String target = url + "/models/distilbert-mlm";
        String body = "{\"inputs\": \"the cat sleeps on the warm [MASK] near the door and the dog sleeps too .\"}";
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger refusedConnections = new AtomicInteger();
        AtomicBoolean signalled = new AtomicBoolean();
        AtomicInteger inFlightCompleted = new AtomicInteger(), inFlightLost = new AtomicInteger();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < 16; c++) {
                clients.add(pool.submit(() -> {
                    for (int i = 0; i < 400; i++) {
                        boolean sentBefore = !signalled.get();
                        try {
                            var r = http.send(HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(30))
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                            statuses.computeIfAbsent(r.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                            // in flight when the signal came, and answered in full
                            if (sentBefore && signalled.get() && r.statusCode() == 200) inFlightCompleted.incrementAndGet();
                        } catch (IOException e) {
                            if (sentBefore) inFlightLost.incrementAndGet();
                            else refusedConnections.incrementAndGet(); // the listener is closed: refused
                            return null;
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(1500);
            signalled.set(true);
            p.destroy(); // SIGTERM
            for (Future<?> f : clients) f.get(120, TimeUnit.SECONDS);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "server exits after draining");
        drain.join(5000);
        assertEquals(0, p.exitValue(), "exit code after SIGTERM");
        assertThat(statuses.keySet()).as("statuses seen: " + statuses).isSubsetOf(200, 503);
        assertThat(statuses.get(200).get()).isPositive();
        assertEquals(0, inFlightLost.get(), "requests in flight at SIGTERM must not be dropped");
        assertThat(inFlightCompleted.get()).as("requests in flight at SIGTERM completed").isPositive();
        assertThat(statuses.getOrDefault(503, new AtomicInteger()).get() + refusedConnections.get())
                .as("requests after SIGTERM are refused").isPositive();
        System.out.println("sigterm: statuses " + statuses + ", refused connections " + refusedConnections.get()
                + ", in flight at the signal and completed " + inFlightCompleted.get());
    }
}
