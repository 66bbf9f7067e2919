package dev.distil4j.spark;

import org.apache.spark.SparkFiles;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Model specs on the executor (here the local[2] driver): Hadoop URIs, zipped folders, what the errors say. */
class ModelLocatorTest {
    @TempDir
    Path tmp;

    @Test
    void aHadoopUriIsCopiedOncePerJvmAndGivesTheSameOutputs() throws IOException {
        SparkTests.spark();
        Path dir = Shared.path("fixtures/models/distilbert-seqcls");
        String uri = dir.toUri().toString(); // file:///…/distilbert-seqcls/
        assertThat(ModelLocator.isUri(uri)).isTrue();
        Path copy = ModelLocator.modelDirectory(uri);
        assertThat(copy).startsWith(Path.of(SparkFiles.getRootDirectory()).toAbsolutePath().resolve(ModelLocator.COPIES))
                .isNotEqualTo(dir);
        assertThat(copy.resolve("model.safetensors")).hasSameBinaryContentAs(dir.resolve("model.safetensors"));
        try (var files = Files.list(copy)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".crc"));
        }
        assertThat(ModelLocator.modelDirectory(uri)).isSameAs(copy);
        List<Row> viaUri = new TextClassifier().setModel(uri).transform(SparkTests.texts(List.of("I love this movie!"), 1)).collectAsList();
        List<Row> direct = new TextClassifier().setModel(dir.toString()).transform(SparkTests.texts(List.of("I love this movie!"), 1)).collectAsList();
        assertThat(viaUri).isEqualTo(direct);
    }

    @Test
    void uriOrPathMissingOnTheExecutorNamesTheWaysThatWork() {
        SparkTests.spark();
        assertThatThrownBy(() -> ModelLocator.modelDirectory("file:///no/such/model"))
                .hasMessageContaining("not found through Hadoop's FileSystem on the driver")
                .hasMessageContaining("--archives model.zip#NAME");
        assertThatThrownBy(() -> ModelLocator.modelDirectory("/no/such/model"))
                .hasMessageContaining("no such directory: /no/such/model").hasMessageContaining("sparkfiles:NAME");
        assertThatThrownBy(() -> ModelLocator.modelDirectory("sparkfiles:nothing"))
                .hasMessageContaining("spark-submit --archives model.zip#nothing").hasMessageContaining("local mode only");
        // hub ids and maven coordinates are not Hadoop URIs
        assertThat(ModelLocator.isUri("hf://org/name")).isFalse();
        assertThat(ModelLocator.isUri("maven:g:a:1")).isFalse();
        assertThat(ModelLocator.isUri("org/name@main")).isFalse();
        assertThat(ModelLocator.isUri("s3a://bucket/m")).isTrue();
    }

    @Test
    void aZippedFolderIsFoundOneLevelDown() throws IOException {
        Path unpacked = Files.createDirectories(tmp.resolve("wordmodel/distilbert-mlm"));
        Files.writeString(unpacked.resolve("config.json"), "{}");
        assertThat(ModelLocator.modelRoot(tmp.resolve("wordmodel"))).isEqualTo(unpacked);
        assertThat(ModelLocator.modelRoot(unpacked)).isEqualTo(unpacked);
        // two folders, or files beside the folder: not guessed
        Files.createDirectories(tmp.resolve("wordmodel/other"));
        assertThat(ModelLocator.modelRoot(tmp.resolve("wordmodel"))).isEqualTo(tmp.resolve("wordmodel"));
    }

    @Test
    void hadoopBefore35OnJdk24IsWarnedAbout() {
        assertThat(RuntimeCheck.problem(25, "3.4.2")).contains("JDK 25").contains("Hadoop client 3.4.2")
                .contains("getSubject is not supported").contains("JDK 21").contains("3.5.0 or newer");
        assertThat(RuntimeCheck.problem(24, "3.3.6")).isNotNull();
        assertThat(RuntimeCheck.problem(21, "3.4.2")).isNull();
        assertThat(RuntimeCheck.problem(25, "3.5.0")).isNull();
        assertThat(RuntimeCheck.problem(25, "3.10.1")).isNull();
        assertThat(RuntimeCheck.problem(25, "4.0.0-SNAPSHOT")).isNull();
    }
}
