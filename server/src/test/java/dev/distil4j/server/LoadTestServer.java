package dev.distil4j.server;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A server in a JVM of its own, for {@link LoadTest}: its heap limit is the JVM's, its resident
 * memory is its process's, and its clients' work does not share its CPU accounting. Arguments are
 * {@code id=directory} pairs; it prints {@code port N} once it answers, and stops on SIGTERM.
 */
final class LoadTestServer {
    private LoadTestServer() {}

    public static void main(String[] args) throws Exception {
        Map<String, Path> models = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            models.put(a.substring(0, eq), Path.of(a.substring(eq + 1)));
        }
        InferenceServer server = InferenceServer.start(models, ServerOptions.builder().port(0).build());
        server.shutdownOnSignal();
        System.out.println("port " + server.port());
        System.out.flush();
        server.awaitShutdown();
    }
}
