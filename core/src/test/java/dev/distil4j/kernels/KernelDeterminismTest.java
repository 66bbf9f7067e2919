package dev.distil4j.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Vector API kernels give the same bits whether the JIT has compiled them or not. The Vector API's own
 * reductions and transcendental lanewise operations do not: C2 sums lanes in a tree and calls a vector math
 * library, the Java fallback that runs before it sums in lane order and calls StrictMath. Outputs then depended
 * on how warm a JVM was (the first rows of each Spark task, the first steps of a training run).
 */
class KernelDeterminismTest {
    @Test
    void theSameBitsBeforeAndAfterCompilation() throws Exception {
        // -Xbatch: compilations finish before the code runs on, so 300 repetitions end on C2's code
        String warm = digest("-Xbatch", "300");
        // C1 only: the Vector API is never intrinsified, every call runs the Java fallback
        String c1 = digest("-XX:TieredStopAtLevel=1", "0");
        String[] w = warm.split(" ");
        assertThat(w[1].substring(5)).as("after C2 vs the first call, same JVM").isEqualTo(w[0].substring(6));
        assertThat(w[1].substring(5)).as("C2 vs C1-only JVM").isEqualTo(c1.split(" ")[0].substring(6));
    }

    private static String digest(String flag, String repetitions) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", flag, "-cp", System.getProperty("java.class.path")));
        String shared = System.getProperty("distil4j.shared");
        if (shared != null) cmd.add("-Ddistil4j.shared=" + shared);
        cmd.addAll(List.of(KernelDigest.class.getName(), repetitions));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String line = out.lines().filter(l -> l.startsWith("first=")).findFirst().orElseThrow(() -> new AssertionError(out));
        return line;
    }
}
