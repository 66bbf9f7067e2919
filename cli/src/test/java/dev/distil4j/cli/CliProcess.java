package dev.distil4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the CLI in a JVM of its own, for what an in-process run cannot show: the process environment
 * (HF_* variables), the real stdout/stderr file descriptors, signals. And other processes (bash, the launcher).
 */
final class CliProcess {
    /** @param out stdout, or stdout and stderr interleaved as written when run with {@code mergeErr} */
    record Result(int code, String out, String err) {}

    private CliProcess() {}

    /** The java command line that runs {@code Main} on the test class path, with the JVM options the launcher gives. */
    static List<String> command(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code command} as one bash word list (each word single-quoted), for pipelines and redirections around the CLI. */
    static String shell(List<String> command) {
        StringBuilder b = new StringBuilder();
        for (String w : command) b.append(b.isEmpty() ? "" : " ").append(quote(w));
        return b.toString();
    }

    /** {@code s} single-quoted for bash. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Runs the CLI to the end (at most two minutes) with {@code env} added to this JVM's environment and {@code stdin} as input. */
    static Result run(Map<String, String> env, List<String> jvmOptions, boolean mergeErr, String stdin, String... args) {
        return exec(env, stdin, mergeErr, command(jvmOptions, args));
    }

    /** Runs any {@code command} so (bash, the launcher), at most two minutes. */
    static Result exec(Map<String, String> env, String stdin, boolean mergeErr, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(mergeErr);
            pb.environment().putAll(env);
            Process p = pb.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("did not finish in two minutes: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
