package dev.distil4j.spark;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docs example, run as spark-submit runs it: a separate JVM whose classpath is Spark's own jars
 * (every provided dependency of this module, as a Spark distribution's jars/ holds them) plus the
 * shaded jar, and nothing else; the master and driver settings come as system properties, as
 * spark-submit passes them. Runs after {@code package} (failsafe), on the packaged shaded jar.
 */
class ShadedJarIT {
    static Path property(String name) {
        String v = System.getProperty(name);
        assertThat(v).as("system property %s (set by the failsafe configuration)", name).isNotNull();
        Path p = Path.of(v);
        assertThat(p).as(name).exists();
        return p;
    }

    @Test
    void shadedJarHoldsDistil4jAndNotWhatSparkProvides() throws IOException {
        try (JarFile jar = new JarFile(property("distil4j.spark.shadedJar").toFile())) {
            List<String> names = jar.stream().map(e -> e.getName()).toList();
            assertThat(names).contains("dev/distil4j/spark/WordEmbeddings.class", "dev/distil4j/pipeline/Embeddings.class",
                    "dev/distil4j/model/Model.class", "dev/distil4j/tokenizer/Tokenizer.class",
                    "dev/distil4j/spark/examples/WordEmbeddingsExample.class");
            assertThat(names).noneMatch(n -> n.startsWith("org/apache/spark/") || n.startsWith("scala/")
                    || n.startsWith("org/apache/hadoop/") || n.startsWith("com/fasterxml/jackson/"));
        }
    }

    @Test
    void docsExampleRunsWithOnlySparkJarsAndTheShadedJar() throws Exception {
        Path shaded = property("distil4j.spark.shadedJar");
        String sparkJars = Files.readString(property("distil4j.spark.classpath")).trim();
        assertThat(sparkJars).contains("spark-core_2.13").contains("spark-mllib_2.13").doesNotContain("distil4j");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Arrays.asList(System.getProperty("distil4j.spark.jvmArgs", "").trim().split("\\s+")));
        cmd.addAll(List.of("-Xmx1g", "-Dspark.master=local[2]", "-Dspark.ui.enabled=false", "-Dspark.driver.host=127.0.0.1",
                "-Dspark.driver.bindAddress=127.0.0.1", "-Dspark.app.name=distil4j-example",
                "-cp", sparkJars + java.io.File.pathSeparator + shaded,
                "dev.distil4j.spark.examples.WordEmbeddingsExample",
                Shared.path("fixtures/models/distilbert-mlm").toString(), "I love NLP. Spark runs it on every core!"));
        cmd.removeIf(String::isEmpty);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        // one line per word, Spark NLP's columns: result (lower-cased by an uncased model, as Spark NLP reports it),
        // begin, end (inclusive), sentence, embeddings
        assertThat(text).containsPattern("(?m)^love\\s+2\\s+5\\s+0\\s+\\[.*\\] \\(32 floats\\)$")
                .containsPattern("(?m)^nlp\\s+7\\s+9\\s+0\\s")
                .containsPattern("(?m)^spark\\s+12\\s+16\\s+1\\s")
                .containsPattern("(?m)^!\\s+39\\s+39\\s+1\\s")
                .contains("11 words");
    }
}
