package dev.distil4j.spark;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.Embeddings;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.SentenceSplitter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Rows per second through a distil4j Spark stage in {@code local[N]} against the same texts through
 * the Java API in the same JVM (run by {@code scripts/bench-spark}, not by the tests).
 *
 * <p>Texts: {@code rows} synthetic English sentences of 6 to 30 words (seeded, so every run sees the
 * same ones). Three ways, each warmed up, then timed {@code runs} times in turn; medians reported:
 * <ul>
 *   <li><b>java, all cores per pass</b>: one {@code Embeddings} with the default {@code Compute}
 *       (every core works on each forward pass), the whole list in one call (sorted by length, padded in
 *       batches of {@code batch});</li>
 *   <li><b>java, one thread per core</b>: what Spark does, without Spark: one model with a one-thread
 *       {@code Compute}, shared by as many threads as cores, each embedding its share of the list in one call;</li>
 *   <li><b>spark</b>: the cached DataFrame in one partition per core through the stage, written to the
 *       {@code noop} sink (every output row is built and encoded, nothing is collected); one task per
 *       core, each forward pass on one thread (spark.task.cpus = 1).</li>
 * </ul>
 * Each run reports wall time and this JVM's CPU time (every thread, Spark's included).
 *
 * <pre>args: [model dir] [sentence|word] [rows] [runs] [master] [batch]</pre>
 */
public final class SparkBenchmark {
    private SparkBenchmark() {}

    static final String[] WORDS = ("the a an this that one every some many people city river house music "
            + "science history market company government school student teacher doctor family friend child "
            + "morning evening night year week day time world country country's language book story film "
            + "game team player computer phone software data model network system price value water food "
            + "coffee tea bread garden street road train car plane ship station museum library hospital "
            + "walks runs reads writes builds opens closes finds loves likes sees hears makes takes gives "
            + "quickly slowly often never always quietly loudly carefully really very quite rather "
            + "big small old new young long short bright dark warm cold green red blue happy sad famous "
            + "in on at near under over with without from to for about after before during").split(" ");

    static List<String> sentences(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = 6 + r.nextInt(25);
            StringBuilder b = new StringBuilder();
            for (int w = 0; w < len; w++) {
                String word = WORDS[r.nextInt(WORDS.length)];
                if (w == 0) word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                b.append(w == 0 ? "" : " ").append(word);
                if (w < len - 1 && r.nextInt(9) == 0) b.append(',');
            }
            out.add(b.append(r.nextInt(6) == 0 ? '?' : '.').toString());
        }
        return out;
    }

    public static void main(String[] args) {
        Path model = Path.of(args.length > 0 ? args[0] : "../shared/real/all-MiniLM-L6-v2").toAbsolutePath().normalize();
        String stage = args.length > 1 ? args[1] : "sentence";
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        String master = args.length > 4 ? args[4] : "local[2]";
        int batch = args.length > 5 ? Integer.parseInt(args[5]) : 32;
        List<String> texts = sentences(rows, 42);

        SparkSession spark = SparkSession.builder().master(master).appName("distil4j-spark benchmark")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        int partitions = spark.sparkContext().defaultParallelism();
        List<Row> data = new ArrayList<>(rows);
        for (String t : texts) data.add(RowFactory.create(t));
        Dataset<Row> df = spark.createDataFrame(data, new StructType().add("text", DataTypes.StringType)).repartition(partitions).cache();
        df.count();
        Distil4jTransformer<?> transformer = stage.equals("word")
                ? new WordEmbeddings().setModel(model.toString()).setBatchSize(batch)
                : new SentenceEmbeddings().setModel(model.toString()).setBatchSize(batch);

        int cores = partitions;
        Compute oneThread = new Compute(Kernels.best(), 1);
        Embeddings.Options options = Embeddings.Options.defaults().withBatchSize(batch);
        try (Embeddings api = Embeddings.load(model, options);
             PipelineModel shared = PipelineModel.load(model, Model.Options.defaults().withHead(HeadType.NONE).withCompute(oneThread))) {
            Embeddings perCore = new Embeddings(shared, api.sentenceConfig(), options);
            Runnable javaAll = () -> embed(api, texts, stage);
            Runnable javaPerCore = () -> {
                List<Thread> threads = new ArrayList<>();
                for (int c = 0; c < cores; c++) {
                    List<String> share = texts.subList(c * rows / cores, (c + 1) * rows / cores);
                    threads.add(Thread.ofPlatform().start(() -> embed(perCore, share, stage)));
                }
                for (Thread t : threads) {
                    try {
                        t.join();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            Runnable sparkRun = () -> transformer.transform(df).write().format("noop").mode("overwrite").save();
            // all cores on each pass, as the Java API's default: one partition at a time, its passes on every core
            Dataset<Row> one = df.coalesce(1);
            Distil4jTransformer<?> allCores = (Distil4jTransformer<?>) transformer.copy(new org.apache.spark.ml.param.ParamMap());
            allCores.setComputeThreads(cores);
            Runnable sparkAllCores = () -> allCores.transform(one).write().format("noop").mode("overwrite").save();

            List<String> warm = texts.subList(0, Math.min(rows, 2000));
            embed(api, warm, stage);
            embed(perCore, warm, stage);
            transformer.transform(df.limit(warm.size())).write().format("noop").mode("overwrite").save();
            allCores.transform(one.limit(warm.size())).write().format("noop").mode("overwrite").save();

            String[] names = {"java, all cores per pass", "java, one thread per core", "spark, one task per core", "spark, all cores per pass"};
            Runnable[] ways = {javaAll, javaPerCore, sparkRun, sparkAllCores};
            int n = ways.length;
            double[][] wall = new double[n][runs], cpu = new double[n][runs];
            for (int i = 0; i < runs; i++) {
                StringBuilder line = new StringBuilder("run " + (i + 1) + ":");
                for (int w = 0; w < n; w++) {
                    double c0 = cpuSeconds();
                    wall[w][i] = time(ways[w]);
                    cpu[w][i] = cpuSeconds() - c0;
                    line.append(String.format("  %s %.1f s = %.0f rows/s (%.1f cpu-s)", names[w], wall[w][i], rows / wall[w][i], cpu[w][i]));
                }
                System.out.println(line + String.format("  [load %.2f]", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            }
            System.out.printf("%s embeddings, %s, %d rows, batch %d, %s (%d partitions), %d cores, %s%n", stage, model.getFileName(), rows,
                    batch, master, partitions, Runtime.getRuntime().availableProcessors(), api.model().model().compute().kernels().getClass().getSimpleName());
            System.out.printf("%-28s %12s %12s %16s%n", "", "median rows/s", "best rows/s", "median cpu-s/1k rows");
            for (int w = 0; w < n; w++) {
                System.out.printf("%-28s %12.0f %12.0f %16.2f%n", names[w], rows / median(wall[w]), rows / min(wall[w]), median(cpu[w]) * 1000 / rows);
            }
            double bestJava = Math.min(median(wall[0]), median(wall[1]));
            for (int w = 2; w < n; w++) {
                int same = w == 2 ? 1 : 0; // the Java run with the same threading
                System.out.printf("%s: overhead vs %s %+.1f%% (medians), %+.1f%% (best runs), %+.1f%% (cpu time); vs the faster java %+.1f%%%n",
                        names[w], names[same], (median(wall[w]) / median(wall[same]) - 1) * 100, (min(wall[w]) / min(wall[same]) - 1) * 100,
                        (median(cpu[w]) / median(cpu[same]) - 1) * 100, (median(wall[w]) / bestJava - 1) * 100);
            }
        } finally {
            oneThread.close();
            spark.stop();
        }
    }

    static void embed(Embeddings e, List<String> texts, String stage) {
        if (stage.equals("word")) e.documents(texts, SentenceSplitter.rules(), Embeddings.WordPooling.FIRST);
        else e.sentences(texts);
    }

    static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** CPU time of this JVM (every thread): less disturbed than wall time by other processes on the machine. */
    static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElseThrow();
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
