package dev.distil4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.SentenceSplitter;
import dev.distil4j.pipeline.SentenceTransformerConfig;
import dev.distil4j.pipeline.TextClassification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stages on a real Spark standalone cluster (Master, Worker and two executors, each its own JVM on
 * 127.0.0.1; see {@link StandaloneCluster}), submitted through {@code SparkSubmit} as docs/spark.md says:
 * an application jar (the {@code it.ClusterJob} class), distil4j's shaded jar in {@code --jars}.
 * One pipeline of WordEmbeddings, SentenceEmbeddings and TextClassifier, each model shipped one of the
 * documented ways:
 * <ul>
 *   <li>WordEmbeddings: {@code --archives distilbert-mlm.zip#wordmodel} (a zip holding the model's folder), {@code sparkfiles:wordmodel};</li>
 *   <li>SentenceEmbeddings: a Hadoop URI ({@code viewfs://}, mounted on a local folder through {@code spark.hadoop.*}
 *       settings, so not a path the executor could open itself), copied once per executor;</li>
 *   <li>TextClassifier: a hub id, downloaded by each executor from a hub on 127.0.0.1 into its own hub cache.</li>
 * </ul>
 * The outputs must equal the Java API's bit for bit; each executor must load each model once, for the
 * whole pipeline, its save, load and second run; the executors run this JVM's JDK and the module's
 * Hadoop client (3.5 on JDK 24+: with 3.4 executors cannot start there).
 */
class StandaloneClusterIT {
    static final String HUB_REPO = "distil4j-test/seqcls";
    static final int PARTITIONS = 8;
    static final Pattern LOADED = Pattern.compile("distil4j: loaded model (\\S+) \\(");
    static final Pattern TASK = Pattern.compile("Running task \\d+\\.\\d+ in stage 0\\.0 ");
    // executors: Spark's warnings, distil4j's loads, and the task lines that show which executor ran what
    static final String EXECUTOR_LOG_CONFIG = """
            rootLogger.level = warn
            rootLogger.appenderRef.stderr.ref = console
            appender.console.type = Console
            appender.console.name = console
            appender.console.target = SYSTEM_ERR
            appender.console.layout.type = PatternLayout
            appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
            logger.distil4j.name = dev.distil4j
            logger.distil4j.level = info
            logger.executor.name = org.apache.spark.executor.Executor
            logger.executor.level = info
            """;

    @TempDir
    Path tmp;

    final Path word = Shared.path("fixtures/models/distilbert-mlm");
    final Path sentence = Shared.path("fixtures/models/roberta-mlm");
    final Path classifier = Shared.path("fixtures/models/distilbert-seqcls");
    final List<String> texts = Shared.goldenStrings("tiny-wordpiece-uncased").stream()
            .filter(t -> !t.contains("\n") && !t.contains("\r")).toList();
    final List<Path> sparkJars = Arrays.stream(readString(ShadedJarIT.property("distil4j.spark.classpath")).trim()
            .split(java.io.File.pathSeparator)).map(Path::of).toList();
    final List<String> jvmArgs = Arrays.stream(System.getProperty("distil4j.spark.jvmArgs", "").trim().split("\\s+"))
            .filter(s -> !s.isEmpty()).toList();

    @Test
    // a guard against hangs only: on 2 idle cores the test takes about 3 minutes, but under a 15x oversubscribed
    // CPU (seen here, niced beside a training run) the Master alone took over 2 minutes to start
    @Timeout(1200)
    void pipelineOnAStandaloneClusterGivesTheJavaApiBitsAndLoadsEachModelOncePerExecutor() throws Exception {
        try (StaticHub hub = new StaticHub(HUB_REPO, classifier);
             StandaloneCluster cluster = new StandaloneCluster(tmp, sparkJars, jvmArgs, EXECUTOR_LOG_CONFIG)) {
            try {
                runAndCheck(cluster, hub);
            } finally {
                keepLogs(cluster, Path.of("target", "standalone-cluster-it"));
            }
        }
    }

    private void runAndCheck(StandaloneCluster cluster, StaticHub hub) throws Exception {
        Path textFile = Files.write(tmp.resolve("texts.txt"), texts);
        Path out = Files.createDirectories(tmp.resolve("out"));
        long t0 = System.nanoTime();
        String master = cluster.start(2, "1g", Duration.ofSeconds(300));
        long t1 = System.nanoTime();
        List<String> submit = List.of(
                "--master", master, "--deploy-mode", "client",
                "--class", "dev.distil4j.spark.it.ClusterJob",
                "--jars", ShadedJarIT.property("distil4j.spark.shadedJar").toString(),
                "--archives", zipFolder(word, tmp.resolve("distilbert-mlm.zip")) + "#wordmodel",
                "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2", "--conf", "spark.executor.memory=512m",
                "--conf", "spark.executor.extraJavaOptions=--add-modules jdk.incubator.vector",
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                // both executors registered before the first task, so both run tasks
                "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=120s",
                "--conf", "spark.hadoop.fs.viewfs.mounttable.models.link./roberta=" + sentence.toUri(),
                "--conf", "spark.executorEnv.HF_ENDPOINT=" + hub.endpoint(),
                // relative: each executor's working directory, so a cache per executor
                "--conf", "spark.executorEnv.HF_HUB_CACHE=hf-hub",
                appJar(tmp.resolve("cluster-job.jar")).toString(),
                out.toString(), textFile.toString(), String.valueOf(PARTITIONS),
                "sparkfiles:wordmodel", "viewfs://models/roberta", HUB_REPO);
        int exit = cluster.submit(submit, jvmArgs, 4, Duration.ofSeconds(600));
        assertThat(exit).as("spark-submit's exit code; driver log:\n%s\n%s", StandaloneCluster.tail(cluster.logs.resolve("driver.log")),
                executorLogs(cluster)).isZero();
        System.out.printf("standalone cluster: Master and Worker up in %.0f s, spark-submit done in %.0f s%n", (t1 - t0) / 1e9,
                (System.nanoTime() - t1) / 1e9);

        // each executor: the three models loaded once, for both runs (nothing evicted, nothing reloaded)
        Map<String, String> logs = executorLogs(cluster);
        assertThat(logs).as("executors").hasSize(2);
        int tasks = 0;
        for (Map.Entry<String, String> e : logs.entrySet()) {
            String log = e.getValue();
            List<String> loaded = new ArrayList<>();
            Matcher m = LOADED.matcher(log);
            while (m.find()) loaded.add(m.group(1));
            System.out.printf("executor %s: %d model loads: %s%n", e.getKey(), loaded.size(), loaded);
            assertThat(loaded).as("models loaded by executor %s", e.getKey()).hasSize(3)
                    .anyMatch(p -> p.endsWith("/wordmodel/distilbert-mlm"))
                    .anyMatch(p -> p.contains("/distil4j-models/") && p.endsWith("-roberta"))
                    .anyMatch(p -> p.contains("/hf-hub/models--distil4j-test--seqcls/snapshots/" + StaticHub.COMMIT));
            assertThat(log).as("executor %s", e.getKey()).doesNotContain("distil4j: evicted")
                    .containsOnlyOnce("distil4j: copied model viewfs://models/roberta");
            tasks += (int) TASK.matcher(log).results().count();
        }
        assertThat(tasks).as("tasks of the first run, over both executors").isEqualTo(PARTITIONS);
        // each executor asked the hub once and downloaded into its own cache
        assertThat(hub.requests("GET /api/models/" + HUB_REPO + "/revision/main")).as("%s", hub.requests()).isEqualTo(2);
        assertThat(hub.requests("GET /" + HUB_REPO + "/resolve/" + StaticHub.COMMIT + "/model.safetensors")).isEqualTo(2);

        // the executors ran this JDK, with the Hadoop client of Spark's jars here
        List<String> executors = Files.readAllLines(out.resolve("executors.tsv"));
        System.out.println("executors (id, JDK, Hadoop): " + executors);
        assertThat(executors).isNotEmpty().allSatisfy(line -> {
            String[] f = line.split("\t");
            assertThat(Integer.parseInt(f[1])).isEqualTo(Runtime.version().feature());
            assertThat(sparkJars).anyMatch(j -> j.getFileName().toString().equals("hadoop-client-api-" + f[2] + ".jar"));
            assertThat(RuntimeCheck.problem(Integer.parseInt(f[1]), f[2])).isNull();
        });
        assertThat(readString(out.resolve("unshipped-error.txt")))
                .contains("no file or directory not-shipped was shipped").contains("--archives model.zip#not-shipped");

        // the outputs: the Java API's, bit for bit, and the same after save and load
        JsonNode run1 = new ObjectMapper().readTree(out.resolve("run1.json").toFile());
        assertThat(new ObjectMapper().readTree(out.resolve("run2.json").toFile())).isEqualTo(run1);
        assertThat(run1).hasSize(texts.size());
        compareWithJavaApi(run1, texts, word, sentence, classifier);
    }

    static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The three stages' outputs against {@code Embeddings.documents}, {@code Embeddings.sentences} and {@code TextClassification}. */
    static void compareWithJavaApi(JsonNode rows, List<String> texts, Path word, Path sentence, Path classifier) {
        // one compute thread, as each task (spark.task.cpus = 1)
        Function<HeadType, Model.Options> one = head -> Model.Options.defaults().withHead(head).withCompute(new Compute(Kernels.best(), 1));
        try (PipelineModel w = PipelineModel.load(word, one.apply(HeadType.NONE));
             PipelineModel s = PipelineModel.load(sentence, one.apply(HeadType.NONE));
             PipelineModel c = PipelineModel.load(classifier, Model.Options.defaults().withCompute(new Compute(Kernels.best(), 1)))) {
            List<Embeddings.DocumentEmbeddings> words = new Embeddings(w, SentenceTransformerConfig.defaults(word), Embeddings.Options.defaults())
                    .documents(texts, SentenceSplitter.rules(), Embeddings.WordPooling.FIRST);
            List<float[]> sentences = new Embeddings(s, SentenceTransformerConfig.read(sentence).orElse(SentenceTransformerConfig.defaults(sentence)),
                    Embeddings.Options.defaults()).sentences(texts);
            List<List<TextClassification.LabelScore>> labels = new TextClassification(c, 32).classifyBatch(
                    texts.stream().map(TextClassification.Input::of).toList(),
                    TextClassification.Options.defaults().withTopK(TextClassification.ALL).withTruncation(true));
            int wordCount = 0;
            for (JsonNode row : rows) {
                int id = row.get("id").asInt();
                String what = "text " + id + " " + texts.get(id);
                List<Embeddings.WordEmbedding> want = words.get(id).words();
                assertThat(row.get("words")).as(what).hasSize(want.size());
                for (int i = 0; i < want.size(); i++) {
                    JsonNode g = row.get("words").get(i);
                    Embeddings.WordEmbedding e = want.get(i);
                    assertThat(List.of(g.get("word").asText(), g.get("begin").asInt(), g.get("end").asInt(), g.get("sentence").asInt()))
                            .as(what).containsExactly(e.word(), e.begin(), e.end(), e.sentence());
                    assertThat(floats(g.get("bits"))).as("%s: word %d", what, i).containsExactly(e.vector());
                    wordCount++;
                }
                assertThat(floats(row.get("sentence"))).as("%s: sentence vector", what).containsExactly(sentences.get(id));
                List<TextClassification.LabelScore> l = labels.get(id);
                assertThat(row.get("labels")).as(what).hasSize(l.size());
                for (int i = 0; i < l.size(); i++) {
                    assertThat(row.get("labels").get(i).get("label").asText()).as(what).isEqualTo(l.get(i).label());
                    assertThat(Float.intBitsToFloat(row.get("labels").get(i).get("bits").asInt())).as(what).isEqualTo(l.get(i).score());
                }
            }
            assertThat(wordCount).isGreaterThan(2000);
        }
    }

    static float[] floats(JsonNode bits) {
        float[] f = new float[bits.size()];
        for (int i = 0; i < f.length; i++) f[i] = Float.intBitsToFloat(bits.get(i).asInt());
        return f;
    }

    /** The cluster's and executors' logs, kept in {@code dir} (the temporary folder goes with the test). */
    static void keepLogs(StandaloneCluster cluster, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> logs = Files.list(cluster.logs)) {
            for (Path l : logs.toList()) Files.copy(l, dir.resolve(l.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        for (Path d : cluster.executorDirs()) {
            Path err = d.resolve("stderr");
            if (Files.exists(err)) Files.copy(err, dir.resolve("executor-" + d.getFileName() + ".log"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Each executor's stderr (the Worker's work/APP/EXECUTOR/stderr), by executor id. */
    static Map<String, String> executorLogs(StandaloneCluster cluster) throws IOException {
        Map<String, String> logs = new TreeMap<>();
        for (Path d : cluster.executorDirs()) logs.put(d.getFileName().toString(), Files.readString(d.resolve("stderr")));
        return logs;
    }

    /** The model's folder zipped as {@code zip -r} does it: the files one level down, under the folder's name. */
    static Path zipFolder(Path dir, Path zip) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                z.putNextEntry(new ZipEntry(dir.getFileName() + "/" + f.getFileName()));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        return zip;
    }

    /** The application jar: the job's classes, as a user's build would package them. */
    static Path appJar(Path jar) throws IOException {
        Path classes = Path.of(ShadedJarIT.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path pkg = classes.resolve("dev/distil4j/spark/it");
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o); Stream<Path> files = Files.list(pkg)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(java.io.File.separatorChar, '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
        return jar;
    }
}
