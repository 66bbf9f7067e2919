package dev.distil4j.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a checkpointing job (train, distil) so that Ctrl-C and SIGTERM stop it cleanly. They start the JVM's
 * shutdown: the hook asks the job to stop after the current step and waits until it has written its
 * checkpoint, so that the JVM exits only then. One place for both commands, which stop the same way.
 */
final class StopOnSignal {
    /** The exit code of a job stopped by a signal, as a shell reports Ctrl-C. */
    static final int EXIT_STOPPED = 130;

    private StopOnSignal() {
    }

    /**
     * @param hookName    the shutdown hook thread's name
     * @param requestStop asks the job to stop after its current step
     * @param work        runs the job and returns its result (also when stopped)
     */
    static <T> T run(String hookName, Runnable requestStop, Supplier<T> work) {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop.run();
            try {
                done.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, hookName);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.get();
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the checkpoint is written
            }
        }
    }
}
