package dev.distil4j.spark;

import dev.distil4j.source.ModelSource;
import dev.distil4j.source.ModelSourceException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Resolves a stage's model spec on the executor, where the model is loaded:
 * <ol>
 *   <li>{@code sparkfiles:NAME}: what was shipped to the executors as {@code NAME}, at
 *       {@code SparkFiles.get(NAME)}; on a cluster that is {@code spark-submit --archives model.zip#NAME}
 *       (unpacked by every executor before its first task; a zip holding one directory with the model
 *       works too). {@code SparkContext.addFile(dir, true)} works in local mode only;</li>
 *   <li>a URI with a scheme ({@code hdfs://}, {@code s3a://}, {@code abfs://}, {@code file://} on a shared
 *       file system, ...): read through Hadoop's {@link FileSystem} with the job's {@code spark.hadoop.*}
 *       settings, copied once per executor JVM into its working directory, and loaded from there;</li>
 *   <li>a directory that exists on the executor (the same path on every node, or a mounted share), used in place;</li>
 *   <li>a path ({@code /...}, {@code ./...}, {@code ~/...}) that does not exist here but whose last name
 *       was shipped (so the driver's path works as is in local mode);</li>
 *   <li>anything else through {@link ModelSource}: the executor's Hugging Face hub cache (then the hub,
 *       unless {@code HF_HUB_OFFLINE=1}), or {@code maven:group:artifact:version}.</li>
 * </ol>
 * Results are remembered per JVM, so a hub id costs at most one revision lookup, and a URI one copy, per executor.
 */
final class ModelLocator {
    static final String SPARK_FILES = "sparkfiles:";
    /** The executor-side folder (in {@code SparkFiles}' root, the executor's working directory) for models copied from a URI. */
    static final String COPIES = "distil4j-models";

    private static final Logger LOG = LoggerFactory.getLogger(ModelLocator.class);
    // a URI scheme; hf:// (the hub) and maven: are ModelSource's
    private static final Pattern URI_SPEC = Pattern.compile("(?i)(?!hf://)[a-z][a-z0-9+.-]*://.*|file:/.*");
    static final String WAYS = "on a cluster, ship the model directory zipped with spark-submit --archives model.zip#NAME and use "
            + "sparkfiles:NAME, or give a Hadoop URI every executor can read (hdfs://, s3a://, file:// on a shared file "
            + "system), or a hub id (org/name) the executors can download or find in their hub cache";

    private static final Map<String, Path> RESOLVED = new ConcurrentHashMap<>();

    private ModelLocator() {}

    static Path modelDirectory(String spec) {
        return RESOLVED.computeIfAbsent(spec, s -> {
            if (isUri(s)) return fromHadoop(s);
            Path shipped = shipped(s);
            if (shipped != null) return modelRoot(shipped);
            try {
                return ModelSource.fromEnvironment().resolve(s).directory().toAbsolutePath().normalize();
            } catch (ModelSourceException e) {
                throw new IllegalArgumentException("model " + s + " not found on " + where() + ": " + e.getMessage() + "; " + WAYS, e);
            }
        });
    }

    /** A tokenizer.json given as a path or {@code sparkfiles:NAME}. */
    static Path tokenizerFile(String spec) {
        if (spec == null || spec.isEmpty()) return null;
        return RESOLVED.computeIfAbsent("tokenizer " + spec, k -> {
            Path p = shipped(spec);
            if (p == null || !Files.isRegularFile(p)) {
                throw new IllegalArgumentException("tokenizer file " + spec + " not found on " + where()
                        + " (give a path every node can read, or ship it with spark-submit --files tokenizer.json and use sparkfiles:tokenizer.json)");
            }
            return p;
        });
    }

    static boolean isUri(String spec) {
        return URI_SPEC.matcher(spec).matches();
    }

    /** The local or shipped file for {@code spec}, or null when it is neither. */
    private static Path shipped(String spec) {
        if (spec.startsWith(SPARK_FILES)) {
            String name = spec.substring(SPARK_FILES.length());
            Path p = sparkFile(name);
            if (p == null || !Files.exists(p)) {
                throw new IllegalArgumentException(spec + ": no file or directory " + name + " was shipped to " + where()
                        + ". Ship the model directory zipped when submitting: spark-submit --archives model.zip#" + name
                        + " (or --conf spark.archives=...), which every executor unpacks before its first task. "
                        + "SparkContext.addFile(dir, true) works in local mode only, and addArchive after the start may not reach running executors");
            }
            return p.toAbsolutePath().normalize();
        }
        Path local = localPath(spec);
        if (local != null && Files.exists(local)) return local.toAbsolutePath().normalize();
        boolean pathLike = spec.startsWith("/") || spec.startsWith(".") || spec.startsWith("~");
        if (pathLike && local != null && local.getFileName() != null) {
            Path p = sparkFile(local.getFileName().toString());
            if (p != null && Files.exists(p)) return p.toAbsolutePath().normalize();
        }
        return null;
    }

    /**
     * The model directory itself, or the only directory inside it when that holds the model: zipping
     * a folder ({@code zip -r model.zip my-model}) puts the files one level down.
     */
    static Path modelRoot(Path dir) {
        if (!Files.isDirectory(dir) || isModel(dir)) return dir;
        List<Path> subdirs = new ArrayList<>();
        try (DirectoryStream<Path> in = Files.newDirectoryStream(dir)) {
            for (Path p : in) {
                if (Files.isDirectory(p)) subdirs.add(p);
                else if (!p.getFileName().toString().startsWith(".")) return dir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return subdirs.size() == 1 && isModel(subdirs.get(0)) ? subdirs.get(0) : dir;
    }

    private static boolean isModel(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json")) || Files.isRegularFile(dir.resolve("modules.json"));
    }

    /**
     * Copies the directory at a Hadoop URI into this executor's {@value #COPIES} folder (once per
     * JVM: the caller caches the result) and returns the copy. The copy goes to a temporary name
     * first, so a half-copied model is never used.
     */
    private static Path fromHadoop(String spec) {
        org.apache.hadoop.fs.Path src = new org.apache.hadoop.fs.Path(spec);
        Path target = localRoot().resolve(COPIES).resolve(digest(spec) + "-" + src.getName());
        if (Files.isDirectory(target)) return modelRoot(target);
        long start = System.nanoTime();
        try {
            FileSystem fs = src.getFileSystem(hadoopConf());
            FileStatus status = fs.getFileStatus(src);
            if (!status.isDirectory()) {
                throw new IllegalArgumentException("model " + spec + " is a file; give the model's directory (with config.json)");
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), ".copy-");
            // raw local file system: no .crc files beside the copies
            if (!FileUtil.copy(fs, src, FileSystem.getLocal(fs.getConf()).getRaw(), new org.apache.hadoop.fs.Path(tmp.resolve("m").toUri()),
                    false, fs.getConf())) {
                throw new IOException("copy failed");
            }
            Files.move(tmp.resolve("m"), target, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(tmp);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("model " + spec + " not found through Hadoop's FileSystem on " + where()
                    + " (a URI must name a directory every executor can read); " + WAYS, e);
        } catch (IOException e) {
            throw new UncheckedIOException("model " + spec + ": cannot copy it through Hadoop's FileSystem on " + where()
                    + ": " + e.getMessage() + " (file system settings go in spark.hadoop.* confs)", e);
        }
        LOG.info("distil4j: copied model {} to {} in {} ms", spec, target, (System.nanoTime() - start) / 1_000_000);
        return modelRoot(target);
    }

    /** Hadoop's configuration with the job's {@code spark.hadoop.*} settings, as Spark gives its own file system calls. */
    private static Configuration hadoopConf() {
        Configuration conf = new Configuration();
        SparkEnv env = SparkEnv.get();
        if (env != null) {
            for (Tuple2<String, String> kv : env.conf().getAll()) {
                if (kv._1().startsWith("spark.hadoop.")) conf.set(kv._1().substring("spark.hadoop.".length()), kv._2());
            }
        }
        return conf;
    }

    /** Where copies go: Spark's per-application files folder (the executor's working directory), else the temp dir. */
    private static Path localRoot() {
        if (SparkEnv.get() != null) return Path.of(SparkFiles.getRootDirectory()).toAbsolutePath().normalize();
        return Path.of(System.getProperty("java.io.tmpdir"), "distil4j-" + ProcessHandle.current().pid());
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "executor 3" (or "the driver"), for messages. */
    static String where() {
        SparkEnv env = SparkEnv.get();
        if (env == null) return "this JVM";
        return "driver".equals(env.executorId()) ? "the driver" : "executor " + env.executorId();
    }

    private static Path localPath(String spec) {
        try {
            String s = spec;
            if (s.startsWith("~/")) s = System.getProperty("user.home") + s.substring(1);
            return Path.of(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code SparkFiles.get(name)} when running inside Spark, else null. */
    private static Path sparkFile(String name) {
        if (TaskContext.get() == null && SparkEnv.get() == null) return null;
        try {
            return Path.of(SparkFiles.get(name));
        } catch (RuntimeException e) {
            return null;
        }
    }
}
