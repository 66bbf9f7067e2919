package dev.distil4j.kernels;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelSelectionTest {
    /** Falling back to the scalar kernels is said, with the fix; choosing them, or having the Vector API, is not. */
    @Test
    void theScalarFallbackIsSaidWithTheFix() {
        List<String> said = new ArrayList<>();
        assertEquals("scalar", KernelSelection.choose("auto", false, said::add).name());
        assertEquals(List.of(KernelSelection.SCALAR_FALLBACK), said);
        assertThat(said.get(0)).contains("--add-modules jdk.incubator.vector").contains("-Ddistil4j.kernels=scalar");
        said.clear();
        assertEquals("scalar", KernelSelection.choose("scalar", false, said::add).name());
        assertThat(KernelSelection.choose("auto", true, said::add).name()).startsWith("vector-");
        assertThat(said).isEmpty();
    }

    /** A JVM without --add-modules: one warning on stderr (the System.Logger's default, java.util.logging), however often asked. */
    @Test
    void aJvmWithoutTheVectorModuleWarnsOnce() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                BestKernels.class.getName()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), err);
        assertEquals("scalar scalar", out.strip());
        assertThat(err).containsOnlyOnce(KernelSelection.SCALAR_FALLBACK);
    }

    /** Asks for the best kernels twice and prints their names. */
    public static final class BestKernels {
        public static void main(String[] args) {
            System.out.println(Kernels.best().name() + " " + Kernels.best().name());
        }
    }
}
