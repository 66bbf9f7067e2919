package dev.distil4j.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching: requests from many clients wait in one bounded queue and a single worker runs
 * them together, as text-embeddings-inference does. A batch takes items in arrival order that share
 * the first item's key (items with other options wait for a later batch), up to a token budget and
 * an item count, waiting at most {@code maxWait} after the first item arrived for others to join.
 *
 * <p>Each item has its own future, completed with the output at its own index of the batch result,
 * so results can never be mixed up. An item whose future was cancelled (its client went away) is
 * dropped before it runs. Whatever a batch throws fails only that batch's items: the worker never dies. A full queue refuses new items at once (429) instead of growing the heap;
 * after {@link #close()} nothing new is accepted (503) and what is queued still runs.
 *
 * @param <K> batch key: items batch together only when their keys are equal (e.g. task options)
 * @param <I> one input
 * @param <O> its output
 */
public final class Batcher<K, I, O> implements AutoCloseable {

    /** Runs one batch; must return one output per item, in order. */
    @FunctionalInterface
    public interface BatchFunction<K, I, O> {
        List<O> run(K key, List<I> items) throws Exception;
    }

    /** Told about every batch run and every change of queue depth (for metrics). */
    public interface Observer {
        void queueDepth(int depth);

        void batch(int items, int tokens, long nanos);

        Observer NONE = new Observer() {
            @Override
            public void queueDepth(int depth) {}

            @Override
            public void batch(int items, int tokens, long nanos) {}
        };
    }

    /**
     * @param maxBatchTokens token budget of one batch (a single larger item still runs, alone)
     * @param maxBatchSize   most items in one batch
     * @param maxQueue       most items waiting; more are refused with 429
     * @param maxWait        how long the first item of a batch waits for company
     * @param queueTimeout   an item still queued after this long is failed with 503 instead of run:
     *                       its client has most likely given up (HTTP/1.1 servers cannot see a
     *                       hang-up while a request waits), and the queue must not fill with dead work
     */
    public record Limits(int maxBatchTokens, int maxBatchSize, int maxQueue, Duration maxWait, Duration queueTimeout) {
        public Limits(int maxBatchTokens, int maxBatchSize, int maxQueue, Duration maxWait) {
            this(maxBatchTokens, maxBatchSize, maxQueue, maxWait, Duration.ofSeconds(60));
        }

        public Limits {
            if (maxBatchTokens < 1 || maxBatchSize < 1 || maxQueue < 1 || maxWait.isNegative() || !queueTimeout.isPositive()) {
                throw new IllegalArgumentException("batch limits must be positive: " + maxBatchTokens + ", "
                        + maxBatchSize + ", " + maxQueue + ", " + maxWait);
            }
        }
    }

    private record Work<K, I, O>(K key, I item, int tokens, CompletableFuture<O> future, long enqueued) {}

    private final String name;
    private final Limits limits;
    private final BatchFunction<K, I, O> function;
    private final Observer observer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Work<K, I, O>> queue = new ArrayDeque<>();
    private final Thread worker;
    private boolean accepting = true;

    public Batcher(String name, Limits limits, BatchFunction<K, I, O> function, Observer observer) {
        this.name = name;
        this.limits = limits;
        this.function = function;
        this.observer = observer;
        this.worker = Thread.ofPlatform().name("batcher-" + name).daemon(true).unstarted(this::loop);
        worker.start();
    }

    /**
     * Queues one item. The future completes with its output, or exceptionally with the batch's failure.
     *
     * @throws ApiException 429 when the queue is full, 503 once closed
     */
    public CompletableFuture<O> submit(K key, I item, int tokens) {
        Objects.requireNonNull(key);
        CompletableFuture<O> future = new CompletableFuture<>();
        lock.lock();
        try {
            if (!accepting) throw ApiException.unhealthy("the server is shutting down");
            if (queue.size() >= limits.maxQueue()) {
                throw ApiException.overloaded("model " + name + " is overloaded: " + queue.size()
                        + " inputs are queued (limit " + limits.maxQueue() + ")", 1);
            }
            queue.addLast(new Work<>(key, item, tokens, future, System.nanoTime()));
            observer.queueDepth(queue.size());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return future;
    }

    /** Items waiting now. */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            List<Work<K, I, O>> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) return;
            run(batch);
        }
    }

    /** Blocks for the next batch; null once closed and drained. */
    private List<Work<K, I, O>> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            Work<K, I, O> first;
            while (true) {
                while (queue.isEmpty()) {
                    if (!accepting) return null;
                    changed.await();
                }
                first = queue.pollFirst();
                observer.queueDepth(queue.size());
                if (first.future.isDone()) continue; // cancelled while queued: drop
                if (System.nanoTime() - first.enqueued > limits.queueTimeout().toNanos()) {
                    first.future.completeExceptionally(ApiException.unhealthy("the request waited more than "
                            + limits.queueTimeout().toSeconds() + " s in the queue of model " + name));
                    continue;
                }
                break;
            }
            List<Work<K, I, O>> batch = new ArrayList<>();
            batch.add(first);
            int tokens = first.tokens;
            long deadline = first.enqueued + limits.maxWait().toNanos();
            while (batch.size() < limits.maxBatchSize()) {
                boolean blocked = false; // an item of this key did not fit the budget: the batch is full
                for (Iterator<Work<K, I, O>> it = queue.iterator(); it.hasNext() && batch.size() < limits.maxBatchSize(); ) {
                    Work<K, I, O> w = it.next();
                    if (w.future.isDone()) {
                        it.remove();
                    } else if (w.key.equals(first.key)) {
                        if (tokens + w.tokens > limits.maxBatchTokens()) {
                            blocked = true;
                            break;
                        }
                        it.remove();
                        batch.add(w);
                        tokens += w.tokens;
                    }
                }
                observer.queueDepth(queue.size());
                long left = deadline - System.nanoTime();
                if (blocked || left <= 0 || !accepting) break;
                changed.awaitNanos(left);
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void run(List<Work<K, I, O>> batch) {
        batch.removeIf(w -> w.future.isDone());
        if (batch.isEmpty()) return;
        List<I> items = new ArrayList<>(batch.size());
        int tokens = 0;
        for (Work<K, I, O> w : batch) {
            items.add(w.item);
            tokens += w.tokens;
        }
        long start = System.nanoTime();
        List<O> out = null;
        Throwable failure = null;
        try {
            out = function.run(batch.get(0).key, items);
            if (out.size() != items.size()) {
                throw new IllegalStateException("batch of " + items.size() + " gave " + out.size() + " results");
            }
        } catch (Throwable t) {
            // Errors too (a stack overflow in a tokenizer): the batch's requests fail, the worker lives on for the others
            failure = t;
        }
        try {
            // counted before any request is answered: a client that reads the metrics after its answer sees its batch
            observer.batch(items.size(), tokens, System.nanoTime() - start);
        } finally {
            for (int i = 0; i < batch.size(); i++) {
                if (failure == null) batch.get(i).future.complete(out.get(i));
                else batch.get(i).future.completeExceptionally(failure);
            }
        }
    }

    /** Stops accepting; what is queued still runs. Waits up to {@code timeout} for the queue to drain. */
    public boolean drain(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            accepting = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        worker.join(timeout.toMillis());
        return !worker.isAlive();
    }

    @Override
    public void close() {
        try {
            if (!drain(Duration.ofSeconds(30))) worker.interrupt();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.interrupt();
        }
    }
}
