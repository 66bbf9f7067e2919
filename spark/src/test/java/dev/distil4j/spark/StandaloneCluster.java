package dev.distil4j.spark;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on 127.0.0.1 from Spark's own classes, without a Spark distribution:
 * a Master and a Worker, each its own JVM, and executors the Worker starts in their own JVMs.
 *
 * <p>The Worker builds the executor's command from {@code SPARK_HOME}: the classpath is
 * {@code SPARK_HOME/jars/*} (with a {@code RELEASE} file there, as in a distribution) plus
 * {@code SPARK_HOME/conf}, and the java is its own. So {@code SPARK_HOME} here is a temporary folder
 * whose {@code jars/} links Spark's jars (this module's provided dependencies) and whose {@code conf/}
 * holds the executors' log4j2 configuration. Every JVM started (and the executors under the Worker) is
 * killed by {@link #close}, and by a shutdown hook should the test JVM be stopped first.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://\\S+)");

    final Path home;
    final Path workDir;
    final Path logs;
    private final String java;
    private final List<String> jvmArgs;
    private final List<Process> processes = new ArrayList<>();
    private final Thread hook = new Thread(this::killAll, "kill spark cluster");
    private String masterUrl;

    /**
     * @param sparkJars Spark's jars
     * @param jvmArgs   the JVM options Spark 4 needs on this JDK (its --add-opens list), for the Master, Worker and driver
     */
    StandaloneCluster(Path dir, List<Path> sparkJars, List<String> jvmArgs, String executorLogConfig) throws IOException {
        home = dir.resolve("spark-home");
        workDir = dir.resolve("work");
        logs = dir.resolve("logs");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(workDir);
        Files.createDirectories(logs);
        Files.writeString(home.resolve("RELEASE"), "Spark's jars from the distil4j-spark build\n");
        for (Path jar : sparkJars) {
            Path link = home.resolve("jars").resolve(jar.getFileName());
            if (!Files.exists(link)) Files.createSymbolicLink(link, jar.toAbsolutePath());
        }
        Files.writeString(home.resolve("conf").resolve("log4j2.properties"), executorLogConfig);
        java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        this.jvmArgs = jvmArgs;
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts the Master and one Worker with {@code cores} cores and {@code memory} for executors; returns the master URL. */
    String start(int cores, String memory, Duration timeout) throws IOException, InterruptedException {
        int port = freePort();
        Path masterLog = logs.resolve("master.log");
        // no REST submission server (its fixed port 6066 may be taken); web UIs on any free port
        launch(masterLog, List.of("-Dspark.master.rest.enabled=false"), "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", "0");
        String log = await(masterLog, "I have been elected leader", timeout);
        Matcher m = MASTER_URL.matcher(log);
        if (!m.find()) throw new IllegalStateException("no master URL in " + masterLog + ":\n" + tail(masterLog));
        masterUrl = m.group(1);
        Path workerLog = logs.resolve("worker.log");
        launch(workerLog, List.of(), "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", "0",
                "--webui-port", "0", "--cores", String.valueOf(cores), "--memory", memory, "--work-dir", workDir.toString(), masterUrl);
        await(workerLog, "Successfully registered with master", timeout);
        return masterUrl;
    }

    /**
     * Runs {@code org.apache.spark.deploy.SparkSubmit} with these arguments, as the spark-submit script does; the
     * exit code. Fails early when the Worker has launched more than {@code maxExecutors} executors: they are
     * failing to start, and the Master would go on replacing them while the driver waits.
     */
    int submit(List<String> args, List<String> driverJvmArgs, int maxExecutors, Duration timeout) throws IOException, InterruptedException {
        Path driverLog = logs.resolve("driver.log");
        Process p = launch(driverLog, driverJvmArgs, "org.apache.spark.deploy.SparkSubmit", args.toArray(String[]::new));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!p.waitFor(1, TimeUnit.SECONDS)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("spark-submit did not finish in " + timeout + "; driver log:\n" + tail(driverLog));
            }
            List<Path> executors = executorDirs();
            if (executors.size() > maxExecutors) {
                throw new IllegalStateException("the Worker launched " + executors.size() + " executors (" + maxExecutors
                        + " at most expected): they fail to start. The last one's stderr:\n" + tail(executors.get(executors.size() - 1).resolve("stderr")));
            }
        }
        return p.exitValue();
    }

    /** The executors' folders ({@code work/APP/EXECUTOR}, holding their stdout and stderr), oldest first. */
    List<Path> executorDirs() throws IOException {
        try (Stream<Path> dirs = Files.walk(workDir, 2)) {
            return dirs.filter(d -> d.getNameCount() == workDir.getNameCount() + 2 && Files.isDirectory(d))
                    .sorted(Comparator.comparing((Path d) -> d.getParent().getFileName().toString())
                            .thenComparingInt(d -> Integer.parseInt(d.getFileName().toString())))
                    .toList();
        }
    }

    private Process launch(Path log, List<String> extraJvm, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmArgs);
        cmd.addAll(extraJvm);
        cmd.addAll(List.of("-Xmx512m", "-cp", home.resolve("jars") + File.separator + "*", mainClass));
        cmd.addAll(List.of(args));
        cmd.removeIf(String::isEmpty);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        // nothing from the test's environment decides where models come from
        env.keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("SPARK_") || k.equals("TRANSFORMERS_OFFLINE"));
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_SCALA_VERSION", "2.13");
        Process p = pb.start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /** Waits for a line in a process's log; fails with the log when the process ends first or time runs out. */
    private String await(Path log, String line, Duration timeout) throws IOException, InterruptedException {
        Process p;
        synchronized (processes) {
            p = processes.get(processes.size() - 1);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (text.contains(line)) return text;
            if (!p.isAlive()) throw new IllegalStateException(log.getFileName() + ": the process ended (" + p.exitValue() + "):\n" + tail(log));
            Thread.sleep(200);
        }
        throw new IllegalStateException(log.getFileName() + ": no \"" + line + "\" after " + timeout + ":\n" + tail(log));
    }

    /** The last 60 lines of a log, for failure messages. */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(" + log + ": " + e.getMessage() + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops every JVM started here, newest first, then whatever they started (the executors) that is still there. */
    private void killAll() {
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
            processes.clear();
        }
        List<ProcessHandle> children = new ArrayList<>();
        for (Process p : all) p.descendants().forEach(children::add);
        for (int i = all.size() - 1; i >= 0; i--) {
            Process p = all.get(i);
            p.destroy(); // SIGTERM: the Worker's shutdown hook stops its executors
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (ProcessHandle c : children) c.destroyForcibly();
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }
}
