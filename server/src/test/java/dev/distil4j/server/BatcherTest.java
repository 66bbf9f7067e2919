package dev.distil4j.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatcherTest {
    record Seen(String key, List<Integer> items) {}

    @Test
    void everyItemGetsItsOwnResultUnderConcurrency() throws Exception {
        List<Seen> batches = Collections.synchronizedList(new ArrayList<>());
        var limits = new Batcher.Limits(64, 16, 10_000, Duration.ofMillis(2));
        try (var b = new Batcher<String, Integer, String>("t", limits, (k, items) -> {
            batches.add(new Seen(k, List.copyOf(items)));
            return items.stream().map(i -> k + ":" + (i * 2)).toList();
        }, Batcher.Observer.NONE);
             var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int c = 0; c < 64; c++) {
                int client = c;
                all.add(CompletableFuture.runAsync(() -> {
                    for (int r = 0; r < 50; r++) {
                        int v = client * 1000 + r;
                        String key = v % 3 == 0 ? "a" : "b";
                        String out = b.submit(key, v, 1 + v % 7).join();
                        assertEquals(key + ":" + (v * 2), out);
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        int total = 0;
        boolean someBatched = false;
        for (Seen s : batches) {
            total += s.items.size();
            int tokens = s.items.stream().mapToInt(v -> 1 + v % 7).sum();
            assertThat(tokens).isLessThanOrEqualTo(64);
            assertThat(s.items.size()).isLessThanOrEqualTo(16);
            for (int v : s.items) assertEquals(v % 3 == 0 ? "a" : "b", s.key, "items batch only with their own key");
            someBatched |= s.items.size() > 1;
        }
        assertEquals(64 * 50, total, "every item ran exactly once");
        assertTrue(someBatched, "concurrent requests were batched together");
    }

    @Test
    void fullQueueRefusesWith429() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        var limits = new Batcher.Limits(100, 1, 2, Duration.ZERO);
        try (var b = new Batcher<String, Integer, Integer>("q", limits, (k, items) -> {
            release.await();
            return items;
        }, Batcher.Observer.NONE)) {
            var running = b.submit("k", 1, 1);
            while (b.queued() > 0) Thread.onSpinWait(); // the worker took it and blocks
            var q1 = b.submit("k", 2, 1);
            var q2 = b.submit("k", 3, 1);
            ApiException e = assertThrows(ApiException.class, () -> b.submit("k", 4, 1));
            assertEquals(429, e.status());
            assertEquals("Overloaded", e.errorType());
            assertTrue(e.retryAfterSeconds() > 0);
            release.countDown();
            assertEquals(List.of(1, 2, 3), List.of(running.get(), q1.get(), q2.get()));
            assertEquals(5, b.submit("k", 5, 1).get(), "accepts again once the queue drained");
        }
    }

    @Test
    void cancelledItemsAreDroppedBeforeTheyRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        var limits = new Batcher.Limits(100, 1, 100, Duration.ZERO);
        try (var b = new Batcher<String, Integer, Integer>("c", limits, (k, items) -> {
            release.await();
            ran.addAll(items);
            return items;
        }, Batcher.Observer.NONE)) {
            var first = b.submit("k", 1, 1);
            while (b.queued() > 0) Thread.onSpinWait();
            var gone = b.submit("k", 2, 1);
            var kept = b.submit("k", 3, 1);
            gone.cancel(true);
            release.countDown();
            assertEquals(3, kept.get());
            assertEquals(1, first.get());
        }
        assertEquals(List.of(1, 3), ran);
    }

    @Test
    void itemsWaitingPastTheQueueTimeoutAreFailedNotRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        var limits = new Batcher.Limits(100, 1, 100, Duration.ZERO, Duration.ofMillis(50));
        try (var b = new Batcher<String, Integer, Integer>("t", limits, (k, items) -> {
            release.await();
            ran.addAll(items);
            return items;
        }, Batcher.Observer.NONE)) {
            var first = b.submit("k", 1, 1);
            while (b.queued() > 0) Thread.onSpinWait();
            var stale = b.submit("k", 2, 1);
            Thread.sleep(120);
            release.countDown();
            assertEquals(1, first.get());
            var e = assertThrows(ExecutionException.class, stale::get);
            assertThat(e.getCause()).isInstanceOf(ApiException.class).hasMessageContaining("waited more than");
            assertEquals(503, ((ApiException) e.getCause()).status());
        }
        assertEquals(List.of(1), ran);
    }

    @Test
    void failuresReachEveryItemOfTheBatchAndTheWorkerGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        var limits = new Batcher.Limits(100, 8, 100, Duration.ZERO);
        try (var b = new Batcher<String, Integer, Integer>("f", limits, (k, items) -> {
            if (calls.incrementAndGet() == 1) throw new IllegalStateException("boom");
            return items;
        }, Batcher.Observer.NONE)) {
            var e = assertThrows(ExecutionException.class, () -> b.submit("k", 1, 1).get());
            assertThat(e.getCause()).hasMessage("boom");
            assertEquals(2, b.submit("k", 2, 1).get());
        }
    }

    /** Errors too (a stack overflow in a tokenizer, an exhausted heap): the batch fails, the one worker lives on. */
    @Test
    void errorsFailTheirBatchAndTheWorkerGoesOn() throws Exception {
        List<Throwable> errors = List.of(new StackOverflowError(), new OutOfMemoryError("Java heap space"), new AssertionError("a"),
                new LinkageError("b"), new InternalError("c"));
        AtomicInteger calls = new AtomicInteger();
        var limits = new Batcher.Limits(100, 8, 100, Duration.ZERO);
        try (var b = new Batcher<String, Integer, Integer>("e", limits, (k, items) -> {
            int call = calls.getAndIncrement();
            if (call % 2 == 0) {
                Throwable t = errors.get(call / 2 % errors.size());
                if (t instanceof Error e) throw e;
            }
            return items;
        }, Batcher.Observer.NONE)) {
            for (int i = 0; i < errors.size(); i++) {
                var e = assertThrows(ExecutionException.class, () -> b.submit("k", 1, 1).get(10, TimeUnit.SECONDS));
                assertEquals(errors.get(i), e.getCause());
                assertEquals(7 + i, b.submit("k", 7 + i, 1).get(10, TimeUnit.SECONDS), "the worker still runs batches");
            }
        }
    }

    @Test
    void drainRunsWhatIsQueuedAndRefusesNewWork() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        var limits = new Batcher.Limits(100, 1, 100, Duration.ZERO);
        var b = new Batcher<String, Integer, Integer>("d", limits, (k, items) -> {
            release.await();
            return items;
        }, Batcher.Observer.NONE);
        var a = b.submit("k", 1, 1);
        var c = b.submit("k", 2, 1);
        Thread drainer = Thread.ofVirtual().start(() -> {
            try {
                b.drain(Duration.ofSeconds(10));
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        while (true) { // wait until draining has begun
            try {
                b.submit("k", 9, 1).cancel(true);
                Thread.sleep(1);
            } catch (ApiException e) {
                assertEquals(503, e.status());
                break;
            }
        }
        release.countDown();
        drainer.join();
        assertEquals(List.of(1, 2), List.of(a.get(), c.get()));
    }
}
