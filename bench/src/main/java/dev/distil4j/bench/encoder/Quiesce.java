package dev.distil4j.bench.encoder;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Waits, before each timed run, until no other thread of this process is busy.
 *
 * <p>Why: after each run ONNX Runtime's intra-op workers keep spinning for tens of milliseconds,
 * waiting for the next operator (measured here: its worker ran ~18 ms of the 20 ms after a 1 x 16
 * run; this wait ends ~40 ms after an ORT run, ~3 ms after a distil4j run, whose workers spin
 * 0.2 ms). On a 2-core machine an engine timed inside that window has one core and a share of the
 * other: distil4j's 1 x 16 median went from 9.4 to 16 ms when timed 0-10 ms after ORT. The time
 * waited is not counted.
 *
 * <p>How: the run time of every other thread of this process, from
 * {@code /proc/self/task/}{@code *}{@code /schedstat} (nanoseconds; the JVM's process CPU clock ticks
 * only every 10 ms here), sampled every 2 ms until three windows in a row in which the other
 * threads together ran less than a tenth of the window, or 300 ms have passed. Elsewhere than
 * Linux: a fixed 50 ms pause.
 */
public final class Quiesce {
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final Path SELF = Path.of("/proc/thread-self/schedstat");
    private static final int QUIET_WINDOWS = 3;
    private static final long LIMIT_NS = 300_000_000;

    private Quiesce() {}

    /** Returns the nanoseconds it waited. */
    public static long await() throws InterruptedException {
        long start = System.nanoTime();
        long before = othersRunTime();
        if (before < 0) {
            Thread.sleep(50);
            return System.nanoTime() - start;
        }
        int quiet = 0;
        while (quiet < QUIET_WINDOWS && System.nanoTime() - start < LIMIT_NS) {
            long t0 = System.nanoTime();
            Thread.sleep(2);
            long after = othersRunTime(), wall = System.nanoTime() - t0;
            quiet = after - before < wall / 10 ? quiet + 1 : 0;
            before = after;
        }
        return System.nanoTime() - start;
    }

    /** Run time of this process's threads but the calling one, in ns; -1 where /proc does not say. */
    private static long othersRunTime() {
        long self = runTime(SELF);
        return self < 0 ? -1 : allRunTime() - self;
    }

    private static long runTime(Path schedstat) {
        try {
            String s = Files.readString(schedstat);
            int space = s.indexOf(' ');
            return Long.parseLong(space < 0 ? s.strip() : s.substring(0, space));
        } catch (IOException | NumberFormatException e) {
            return -1; // a thread that ended between the listing and the read, or no /proc
        }
    }

    /** Total run time of this process's threads in ns. */
    private static long allRunTime() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) sum += Math.max(0, runTime(task.resolve("schedstat")));
        } catch (IOException e) {
            return 0;
        }
        return sum;
    }
}
