package dev.distil4j.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The {@code ./distil4j} launcher itself (bash), on a copy of it whose CLI jar is {@link LauncherProbe}:
 * what reaches stdout and stderr, the exit code, the class-data archive, the JDK lookup.
 */
class LauncherTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private static CliProcess.Result bash(Map<String, String> env, String... command) {
        return CliProcess.exec(env, "", false, List.of(command));
    }

    /** A copy of the launcher and its JDK lookup, with the probe as the CLI jar (no sources: nothing to build). */
    private Path launcherCopy() throws IOException {
        Path root = launcherCopy(LauncherProbe.class.getName(), null);
        String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
        Path jar = root.resolve("cli/target/distil4j.jar");
        Manifest m = manifest(LauncherProbe.class.getName(), null);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), m);
             InputStream cls = LauncherProbe.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            cls.transferTo(out);
        }
        return root;
    }

    private Path launcherCopy(String mainClass, String classPath) throws IOException {
        return launcherCopy(tmp, mainClass, classPath);
    }

    /** A copy of the launcher in {@code dir} whose CLI jar runs {@code mainClass} from {@code classPath} (its manifest's Class-Path), or nothing yet. */
    private static Path launcherCopy(Path dir, String mainClass, String classPath) throws IOException {
        Path root = Files.createDirectories(dir.resolve("distil4j"));
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(ROOT.resolve("distil4j"), root.resolve("distil4j"));
        Files.copy(ROOT.resolve("scripts/jdk.sh"), root.resolve("scripts/jdk.sh"));
        Path jar = Files.createDirectories(root.resolve("cli/target")).resolve("distil4j.jar");
        if (classPath != null) {
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest(mainClass, classPath))) {
                out.flush();
            }
        }
        return root;
    }

    /** A copy of the launcher in {@code dir} whose CLI jar is the real CLI, from the test class path. */
    static Path launcherWithTheCli(Path dir) throws IOException {
        StringBuilder cp = new StringBuilder();
        for (String e : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")).split(java.io.File.pathSeparator)) {
            if (!e.isBlank()) cp.append(Path.of(e).toAbsolutePath().toUri()).append(' ');
        }
        return launcherCopy(dir, Main.class.getName(), cp.toString().strip());
    }

    private static Manifest manifest(String mainClass, String classPath) {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        if (classPath != null) m.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        return m;
    }

    /**
     * On a terminal (a pseudo-terminal from util-linux's {@code script}), through the launcher, the real
     * CLI: the {@code {"row": N}} lines and the progress bar do not mix, although the JVM's stderr goes
     * through the launcher's filter (the CLI writes its stderr to the terminal itself), and the
     * incubator warning is gone.
     */
    @Test
    void onATerminalResultsAndTheBarDoNotMix() throws Exception {
        Path root = launcherWithTheCli(tmp);
        int n = 200;
        List<String> texts = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) texts.add("the cat sleeps on the warm mat " + i);
        Path in = Files.write(tmp.resolve("in.txt"), texts);
        String command = root.resolve("distil4j") + " embed --model " + CliRun.shared("fixtures/models/distilbert-mlm")
                + " --input " + in + " --output " + tmp.resolve("v.npy");
        CliProcess.Result r = bash(Map.of("JAVA_HOME", System.getProperty("java.home")), "script", "-qefc", command, "/dev/null");
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> screen = ProgressBarTest.screen(r.out());
        List<String> rows = screen.stream().filter(l -> l.startsWith("{")).toList();
        List<String> others = screen.stream().filter(l -> !l.startsWith("{")).toList();
        assertEquals(n, rows.size(), String.join("\n", screen));
        for (int i = 0; i < n; i++) assertEquals("{\"row\":" + i + "}", rows.get(i), "the screen:\n" + String.join("\n", screen));
        assertEquals(1, others.size(), String.join("\n", screen)); // the finished bar; no warning
        assertThat(others.get(0)).startsWith("embed 100% [==============================] " + n + " records");
    }

    /**
     * The JVM's incubator warning is dropped and nothing else: the program's own stderr (a WARNING
     * line included) and stdout pass unchanged, the exit code is the program's; the class-data
     * archive is written by the first run, silently, and rewritten after the jar changes.
     */
    @Test
    void onlyTheIncubatorWarningIsDroppedAndTheArchiveFollowsTheJar() throws Exception {
        Path root = launcherCopy();
        Map<String, String> env = Map.of("JAVA_HOME", System.getProperty("java.home"));
        Path jsa = root.resolve("cli/target/distil4j.jsa");
        Path jar = root.resolve("cli/target/distil4j.jar");
        for (int run = 0; run < 3; run++) {
            if (run == 2) { // a rebuilt jar: newer than the archive, both in the past
                long now = System.currentTimeMillis();
                Files.setLastModifiedTime(jsa, FileTime.fromMillis(now - 20_000));
                Files.setLastModifiedTime(jar, FileTime.fromMillis(now - 10_000));
            }
            CliProcess.Result r = bash(env, root.resolve("distil4j").toString(), "3");
            assertEquals(3, r.code(), r.err());
            assertEquals("out terminals=\n", r.out(), "run " + run); // pipes, not terminals; no JVM log lines
            assertEquals("WARNING: a warning of the program's own\nerr\n", r.err(), "run " + run);
            assertThat(jsa).as("run " + run).isRegularFile();
        }
        assertThat(Files.getLastModifiedTime(jsa)).as("rewritten for the newer jar").isGreaterThan(Files.getLastModifiedTime(jar));

        // without the launcher the JVM does print it: the test above would see it if the filter let it through
        CliProcess.Result plain = bash(env, Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                "jdk.incubator.vector", "-jar", jar.toString(), "0");
        assertThat(plain.err()).startsWith("WARNING: Using incubator modules: jdk.incubator.vector\n");
    }

    /** The JDK lookup reads each candidate's release file and starts no JVM (it used to start one per candidate). */
    @Test
    void theJdkLookupStartsNoJvm() throws Exception {
        Path marker = tmp.resolve("a-jvm-was-started");
        Path jdk22 = fakeJdk("jdk22", "22.0.1", marker);
        Path jdk17 = fakeJdk("jdk17", "17.0.9", marker);
        String lookup = ". '" + ROOT.resolve("scripts/jdk.sh") + "' && echo \"$JAVA_HOME\"";
        CliProcess.Result found = bash(Map.of("JAVA_HOME", jdk22.toString(), "PATH", "/usr/bin:/bin"), "bash", "-c", lookup);
        assertEquals(0, found.code(), found.err());
        assertEquals(jdk22 + "\n", found.out());
        assertFalse(Files.exists(marker), "the lookup ran a java binary");
        // too old: the next candidate (a javac on the PATH, or /usr/lib/jvm) is taken instead
        CliProcess.Result skipped = bash(Map.of("JAVA_HOME", jdk17.toString(), "PATH", jdk17.resolve("bin") + ":/usr/bin:/bin"), "bash", "-c", lookup);
        assertThat(skipped.out().strip()).isNotEqualTo(jdk17.toString());
        assertFalse(Files.exists(marker), "the lookup ran a java binary");
    }

    /** A JDK directory whose java and javac only leave a marker behind, and whose release file says {@code version}. */
    private Path fakeJdk(String name, String version, Path marker) throws IOException {
        Path home = Files.createDirectories(tmp.resolve(name));
        Files.createDirectories(home.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path t = Files.writeString(home.resolve("bin").resolve(tool), "#!/bin/sh\ntouch '" + marker + "'\n");
            Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}
