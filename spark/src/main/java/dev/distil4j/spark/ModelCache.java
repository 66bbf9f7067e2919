package dev.distil4j.spark;

import dev.distil4j.kernels.Compute;
import dev.distil4j.kernels.Kernels;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.pipeline.PipelineModel;
import dev.distil4j.pipeline.SentenceTransformerConfig;
import dev.distil4j.tokenizer.Tokenizer;
import org.apache.spark.SparkEnv;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models of one executor JVM: <b>the one deliberate piece of static mutable state in
 * distil4j</b>. Tasks of a stage run in the same executor JVM at the same time and must share one
 * loaded model (its weights are memory-mapped once; inference is thread-safe) instead of loading
 * one each, and the model must survive from one task to the next; Spark gives no other place for
 * that than a static.
 *
 * <ul>
 *   <li><b>Key</b>: the resolved model directory, the tokenizer file (if any), what is loaded (the
 *       bare encoder for embeddings, or the encoder with its head) and the compute threads.</li>
 *   <li><b>Loaded once</b>: the first task to ask loads it; tasks asking meanwhile wait for that load
 *       rather than start their own. A failed load is not cached (the next task tries again).</li>
 *   <li><b>Sized by the plan</b>: by default the cache keeps as many models as this JVM's tasks have
 *       held at once (a pipeline of three stages runs them in one task, which holds all three), and at
 *       least {@value #DEFAULT_MAX_MODELS}; so a task never evicts what the next task of the same plan needs.
 *       {@code spark.distil4j.maxCachedModels} (Spark conf or system property) sets a fixed bound instead.
 *       Least recently used models are evicted first; a model in use never is (the bound is exceeded
 *       while tasks hold more models than it allows).</li>
 *   <li><b>Logged</b>: each load and each eviction, once, at INFO (logger {@code dev.distil4j.spark.ModelCache}).</li>
 * </ul>
 */
final class ModelCache {
    /** Spark conf key (or system property) for how many models an executor keeps. */
    static final String CONF_MAX_MODELS = "spark.distil4j.maxCachedModels";
    /** The least an unconfigured cache keeps. */
    static final int DEFAULT_MAX_MODELS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(ModelCache.class);

    /** What a stage needs loaded. */
    enum Kind {
        /** the encoder without head, plus the sentence-transformers configuration (embeddings) */
        ENCODER,
        /** the encoder with the head config.json names (pipelines) */
        WITH_HEAD
    }

    record Key(Path dir, Path tokenizer, Kind kind, int threads) {}

    /** A loaded model and what goes with it; closing it closes the model and its threads. */
    record Loaded(PipelineModel model, SentenceTransformerConfig sentenceConfig, Compute compute) implements AutoCloseable {
        @Override
        public void close() {
            try {
                model.close();
            } finally {
                compute.close();
            }
        }
    }

    /** A task's hold on a model; release it exactly once when the task ends. */
    interface Lease extends AutoCloseable {
        Loaded get();

        @Override
        void close();
    }

    private static final class Entry {
        final Key key;
        int users;
        boolean evicted;
        Loaded loaded;      // set once loading succeeded
        RuntimeException failure;
        boolean loading;

        Entry(Key key) {
            this.key = key;
        }
    }

    // access-ordered: the eldest entry is the least recently used
    private static final LinkedHashMap<Key, Entry> ENTRIES = new LinkedHashMap<>(8, 0.75f, true);
    private static long loads;
    // the most models in use at one time (by all tasks of this JVM together): the working set of the plans run here
    private static int peakInUse;

    private ModelCache() {}

    /** Holds the model for {@code key}, loading it if no task of this JVM has yet. */
    static Lease acquire(Key key) {
        Entry e;
        List<Entry> toClose = new ArrayList<>();
        synchronized (ModelCache.class) {
            e = ENTRIES.get(key);
            if (e == null) {
                e = new Entry(key);
                ENTRIES.put(key, e);
            }
            e.users++;
            if (e.users == 1) peakInUse = Math.max(peakInUse, inUse());
            evict(toClose);
        }
        closeAll(toClose);
        try {
            load(e);
        } catch (RuntimeException | Error t) {
            release(e);
            throw t;
        }
        Entry held = e;
        return new Lease() {
            private boolean released;

            @Override
            public Loaded get() {
                return held.loaded;
            }

            @Override
            public void close() {
                if (released) return;
                released = true;
                release(held);
            }
        };
    }

    private static void load(Entry e) {
        synchronized (e) {
            while (e.loading) {
                try {
                    e.wait();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + e.key.dir() + " to load", ie);
                }
            }
            if (e.loaded != null) return;
            if (e.failure != null) throw e.failure;
            e.loading = true;
        }
        Loaded l = null;
        RuntimeException failure = null;
        long start = System.nanoTime();
        try {
            l = open(e.key);
        } catch (RuntimeException ex) {
            failure = ex;
        } finally {
            synchronized (e) {
                e.loaded = l;
                // a failure is seen by the tasks waiting now; the entry is dropped so a later task retries
                e.failure = failure;
                e.loading = false;
                e.notifyAll();
            }
        }
        if (failure != null) {
            synchronized (ModelCache.class) {
                if (ENTRIES.get(e.key) == e) ENTRIES.remove(e.key);
                e.evicted = true;
            }
            throw failure;
        }
        long n;
        int size, bound;
        synchronized (ModelCache.class) {
            n = ++loads;
            size = ENTRIES.size();
            bound = bound();
        }
        LOG.info("distil4j: loaded model {} ({}, threads {}{}) in {} ms on {}; loads by this JVM: {}, models cached: {}, bound: {}",
                e.key.dir(), e.key.kind() == Kind.ENCODER ? "encoder" : "with head", e.key.threads(),
                e.key.tokenizer() != null ? ", tokenizer " + e.key.tokenizer() : "", (System.nanoTime() - start) / 1_000_000,
                ModelLocator.where(), n, size, bound);
    }

    private static Loaded open(Key key) {
        Compute compute = new Compute(Kernels.best(), key.threads());
        try {
            Tokenizer tok = key.tokenizer() != null ? Tokenizer.fromTokenizerJson(key.tokenizer()) : null;
            if (key.kind() == Kind.ENCODER) {
                SentenceTransformerConfig st = SentenceTransformerConfig.read(key.dir()).orElse(null);
                Path modelDir = st != null ? st.transformerDir() : key.dir();
                Model.Options opts = Model.Options.defaults().withHead(HeadType.NONE).withCompute(compute);
                PipelineModel pm = tok != null ? new PipelineModel(modelDir, tok, Model.load(modelDir, opts)) : PipelineModel.load(modelDir, opts);
                return new Loaded(pm, st != null ? st : SentenceTransformerConfig.defaults(modelDir), compute);
            }
            Model.Options opts = Model.Options.defaults().withCompute(compute);
            PipelineModel pm = tok != null ? new PipelineModel(key.dir(), tok, Model.load(key.dir(), opts)) : PipelineModel.load(key.dir(), opts);
            return new Loaded(pm, null, compute);
        } catch (RuntimeException e) {
            compute.close();
            throw e;
        }
    }

    private static void release(Entry e) {
        List<Entry> toClose = new ArrayList<>();
        synchronized (ModelCache.class) {
            e.users--;
            if (e.evicted && e.users == 0) toClose.add(e);
            evict(toClose);
        }
        closeAll(toClose);
    }

    /** Drops least recently used entries beyond the bound; unused ones are closed now, used ones by their last task. */
    private static void evict(List<Entry> toClose) {
        int max = bound();
        Iterator<Map.Entry<Key, Entry>> it = ENTRIES.entrySet().iterator();
        while (ENTRIES.size() > max && it.hasNext()) {
            Entry e = it.next().getValue();
            if (e.users > 0) continue; // in use: stays (the bound is exceeded until its tasks are done)
            it.remove();
            e.evicted = true;
            toClose.add(e);
            LOG.info("distil4j: evicted model {} ({}) on {}: the cache keeps {} models ({}={})", e.key.dir(),
                    e.key.kind() == Kind.ENCODER ? "encoder" : "with head", ModelLocator.where(), max, CONF_MAX_MODELS,
                    configuredMax() > 0 ? String.valueOf(configuredMax()) : "unset: as many as tasks held at once, at least " + DEFAULT_MAX_MODELS);
        }
    }

    private static int inUse() {
        int n = 0;
        for (Entry x : ENTRIES.values()) if (x.users > 0) n++;
        return n;
    }

    /** How many models this cache keeps now: the configured bound, else the plans' working set (at least the default). */
    static synchronized int bound() {
        int configured = configuredMax();
        return configured > 0 ? configured : Math.max(DEFAULT_MAX_MODELS, peakInUse);
    }

    private static void closeAll(List<Entry> entries) {
        for (Entry e : entries) {
            Loaded l;
            synchronized (e) {
                l = e.loaded;
                e.loaded = null;
            }
            if (l != null) l.close();
        }
    }

    /** {@value #CONF_MAX_MODELS} from the Spark conf or a system property, or 0 when unset. */
    static int configuredMax() {
        String v = null;
        SparkEnv env = SparkEnv.get();
        if (env != null) v = env.conf().get(CONF_MAX_MODELS, null);
        if (v == null) v = System.getProperty(CONF_MAX_MODELS);
        if (v == null) return 0;
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(CONF_MAX_MODELS + " must be a positive integer, not \"" + v + "\"");
        }
    }

    /** How many models this JVM has loaded so far (for tests: a model is loaded once, not per task). */
    static synchronized long loads() {
        return loads;
    }

    /** Models cached now. */
    static synchronized int size() {
        return ENTRIES.size();
    }

    /** Closes every model no task holds and forgets all; for tests and shutdown. */
    static void clear() {
        List<Entry> toClose = new ArrayList<>();
        synchronized (ModelCache.class) {
            for (Entry e : ENTRIES.values()) {
                e.evicted = true;
                if (e.users == 0) toClose.add(e);
            }
            ENTRIES.clear();
            peakInUse = 0;
        }
        closeAll(toClose);
    }
}
