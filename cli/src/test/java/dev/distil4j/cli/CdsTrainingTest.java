package dev.distil4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The launcher's class-data sharing training run must work on its own: every command it runs exits 0 (else it throws). */
class CdsTrainingTest {
    @Test
    void runsItsCommandsAndLeavesNoTemporaryDirectory() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = count(tmp);
        CdsTraining.main(new String[0]);
        assertThat(count(tmp)).isEqualTo(before);
    }

    private static long count(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("distil4j-cds-")).count();
        }
    }
}
