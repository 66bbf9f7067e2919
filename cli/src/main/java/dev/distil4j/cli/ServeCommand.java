package dev.distil4j.cli;

import dev.distil4j.server.InferenceServer;
import dev.distil4j.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code distil4j serve}: the HTTP server (Inference API, TEI and OpenAI routes). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serves models over HTTP: POST /models/{id} (Hugging Face Inference API), /embed, /embed_all, "
                + "/predict, /rerank, /similarity, /embed_sparse, /tokenize, /decode, /info, /health (text-embeddings-inference), "
                + "/v1/embeddings (OpenAI), /metrics; see docs/server.md.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model to serve (directory, hub id, alias or maven:...); repeat for several.")
    List<String> models = new ArrayList<>();

    @Option(names = "--served-model-name", description = "Id to serve each --model under (same order); default: the id given, or the directory's name.")
    List<String> names = new ArrayList<>();

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--max-batch-tokens", defaultValue = "16384", description = "Token budget of one batch (default: ${DEFAULT-VALUE}).")
    int maxBatchTokens;

    @Option(names = "--max-batch-requests", defaultValue = "64", description = "Most inputs in one batch (default: ${DEFAULT-VALUE}).")
    int maxBatchSize;

    @Option(names = "--max-concurrent-requests", defaultValue = "512",
            description = "Most inputs queued per model; more get 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue;

    @Option(names = "--max-wait-ms", defaultValue = "5", description = "How long a batch waits for more inputs (default: ${DEFAULT-VALUE}).")
    long maxWaitMs;

    @Option(names = "--max-client-batch-size", defaultValue = "32", description = "Most inputs in one request (default: ${DEFAULT-VALUE}).")
    int maxClientBatch;

    @Option(names = "--max-body-bytes", defaultValue = "2000000", description = "Largest request body (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--max-request-tokens", defaultValue = "16384",
            description = "Most tokens the model runs for one request, all inputs and windows (default: ${DEFAULT-VALUE}).")
    int maxRequestTokens;

    @Option(names = "--max-request-windows", defaultValue = "64",
            description = "Most forward-pass sequences (inputs or windows of long inputs) for one request (default: ${DEFAULT-VALUE}).")
    int maxRequestWindows;

    @Option(names = "--max-predictions", defaultValue = "1024",
            description = "Most fill-mask predictions or question-answering answers one request may ask for (default: ${DEFAULT-VALUE}).")
    int maxPredictions;

    @Option(names = "--idle-timeout-s", defaultValue = "30",
            description = "Close a connection silent this long; a request body that stops arriving gets 408 (default: ${DEFAULT-VALUE}).")
    long idleSeconds;

    @Option(names = "--auto-truncate", description = "Truncate inputs longer than the model takes instead of answering 422.")
    boolean autoTruncate;

    @Option(names = "--api-key", description = "Require 'Authorization: Bearer KEY' (default: $DISTIL4J_API_KEY, if set).")
    String apiKey;

    @Option(names = "--protect-metrics", description = "Require the API key on /metrics too (by default it is open, as TEI's).")
    boolean protectMetrics;

    @Option(names = "--drain-timeout-s", defaultValue = "30", description = "On shutdown, how long to finish queued work (default: ${DEFAULT-VALUE}).")
    long drainSeconds;

    @Override
    public Integer call() throws Exception {
        if (!names.isEmpty() && names.size() != models.size()) {
            throw new UserException(names.size() + " --served-model-name for " + models.size() + " --model; give one per model or none");
        }
        Map<String, Path> served = new LinkedHashMap<>();
        for (int i = 0; i < models.size(); i++) {
            String spec = models.get(i);
            Path dir = ModelLocator.resolve(spec);
            String id = !names.isEmpty() ? names.get(i) : idFor(spec);
            if (served.put(id, dir) != null) throw new UserException("two models would be served as \"" + id + "\"; use --served-model-name");
        }
        String key = apiKey != null ? apiKey : System.getenv("DISTIL4J_API_KEY");
        ServerOptions options = ServerOptions.builder().host(host).port(port).maxBatchTokens(maxBatchTokens)
                .maxBatchSize(maxBatchSize).maxQueue(maxQueue).maxWait(Duration.ofMillis(maxWaitMs)).maxClientBatch(maxClientBatch)
                .maxBodyBytes(maxBody).maxRequestTokens(maxRequestTokens).maxRequestWindows(maxRequestWindows)
                .maxPredictions(maxPredictions).idleTimeout(Duration.ofSeconds(idleSeconds)).autoTruncate(autoTruncate).apiKey(key)
                .protectMetrics(protectMetrics).drainTimeout(Duration.ofSeconds(drainSeconds)).build();
        InferenceServer server = listen(options);
        System.err.println("distil4j: listening at " + server.url() + " (503 until the models are loaded)");
        try {
            server.load(served);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        server.shutdownOnSignal(); // after loading: a failed load must still exit non-zero
        System.err.println("distil4j: serving " + served.keySet() + " at " + server.url());
        server.awaitShutdown();
        return 0;
    }

    /** Opens the port; one that cannot be had (in use, not permitted) is the user's to change, not an internal error. */
    private InferenceServer listen(ServerOptions options) throws Exception {
        try {
            return InferenceServer.listen(options);
        } catch (Exception e) { // Jetty wraps the BindException; look down the causes whatever the wrapper
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof BindException b) {
                    throw new UserException("cannot listen on " + host + " port " + port + " (" + b.getMessage()
                            + "): another server may be using it; choose another with --port (0 picks a free one)");
                }
            }
            throw e;
        }
    }

    /** A local directory is served under its folder name; anything else (hub id, alias) as given. */
    static String idFor(String spec) {
        Path p = Path.of(spec);
        if (java.nio.file.Files.isDirectory(p)) {
            Path name = p.toAbsolutePath().normalize().getFileName();
            return name == null ? spec : name.toString();
        }
        return spec;
    }
}
