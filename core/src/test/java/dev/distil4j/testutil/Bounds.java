package dev.distil4j.testutil;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;

/** Measures what a piece of code costs in heap and stack, for tests that a crafted input stays cheap. */
public final class Bounds {
    private Bounds() {}

    /** Throwing code under test. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /** What an action left behind: the exception it threw (or null) and the bytes it allocated on the heap. */
    public record Outcome(Throwable thrown, long allocatedBytes) {}

    /**
     * Runs {@code action} on the calling thread and counts the bytes that thread allocated meanwhile
     * (HotSpot's per-thread counter: allocation, not retained size, so it bounds any transient peak).
     */
    public static Outcome measure(Action action) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Throwable thrown = null;
        try {
            action.run();
        } catch (Throwable t) {
            thrown = t;
        }
        return new Outcome(thrown, threads.getCurrentThreadAllocatedBytes() - before);
    }

    /**
     * Runs {@code action} on a new thread with only {@code stackBytes} of stack, so that a test of
     * "never recurses on the input" does not depend on the -Xss the build happens to use.
     */
    public static Outcome onStack(long stackBytes, Action action) throws InterruptedException {
        AtomicReference<Outcome> out = new AtomicReference<>();
        Thread t = new Thread(null, () -> out.set(measure(action)), "small-stack", stackBytes);
        t.start();
        t.join();
        return out.get();
    }
}
