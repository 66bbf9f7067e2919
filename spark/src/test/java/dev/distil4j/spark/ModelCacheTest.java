package dev.distil4j.spark;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The executor's model cache: loaded once under concurrency, failures not cached, bounded, in-use models kept. */
class ModelCacheTest {
    static ModelCache.Key key(String model, int threads) {
        return new ModelCache.Key(Shared.path("fixtures/models/" + model), null, ModelCache.Kind.WITH_HEAD, threads);
    }

    @BeforeEach
    void bound() {
        ModelCache.clear();
        System.setProperty(ModelCache.CONF_MAX_MODELS, "1");
    }

    @AfterEach
    void reset() {
        System.clearProperty(ModelCache.CONF_MAX_MODELS);
        ModelCache.clear();
    }

    @Test
    void concurrentTasksShareOneLoad() throws Exception {
        long before = ModelCache.loads();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<ModelCache.Lease>> leases = new ArrayList<>();
            for (int i = 0; i < 6; i++) leases.add(pool.submit(() -> ModelCache.acquire(key("distilbert-seqcls", 1))));
            Object first = leases.get(0).get().get();
            for (Future<ModelCache.Lease> f : leases) {
                assertThat(f.get().get()).isSameAs(first);
                f.get().close();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(ModelCache.loads() - before).isEqualTo(1);
    }

    @Test
    void failedLoadsAreNotCached() {
        ModelCache.Key bad = new ModelCache.Key(Path.of("/no/such/dir"), null, ModelCache.Kind.WITH_HEAD, 1);
        assertThatThrownBy(() -> ModelCache.acquire(bad)).hasMessageContaining("/no/such/dir");
        assertThat(ModelCache.size()).isZero();
        assertThatThrownBy(() -> ModelCache.acquire(bad)).hasMessageContaining("/no/such/dir");
    }

    @Test
    void leastRecentlyUsedUnusedModelsAreEvicted() {
        long before = ModelCache.loads();
        try (ModelCache.Lease a = ModelCache.acquire(key("distilbert-seqcls", 1))) {
            // in use: a second model exceeds the bound rather than close the first under its task
            try (ModelCache.Lease b = ModelCache.acquire(key("distilbert-tokcls", 1))) {
                assertThat(ModelCache.size()).isEqualTo(2);
                assertThat(a.get()).isNotSameAs(b.get());
            }
        }
        // b was released first while a was still held: b, the only unused one, went; a stays when released
        assertThat(ModelCache.size()).isEqualTo(1);
        try (ModelCache.Lease again = ModelCache.acquire(key("distilbert-seqcls", 1))) {
            assertThat(again.get().model().model().headType().name()).isEqualTo("SEQUENCE_CLASSIFICATION");
        }
        assertThat(ModelCache.loads() - before).as("seqcls still cached").isEqualTo(2);
        try (ModelCache.Lease again = ModelCache.acquire(key("distilbert-tokcls", 1))) {
            assertThat(ModelCache.size()).as("seqcls, unused, evicted to make room").isEqualTo(1);
        }
        assertThat(ModelCache.loads() - before).as("tokcls loaded again").isEqualTo(3);
        // a different thread count is another entry (its own compute pool)
        try (ModelCache.Lease two = ModelCache.acquire(key("distilbert-seqcls", 2))) {
            assertThat(two.get().compute().threads()).isEqualTo(2);
        }
    }

    @Test
    void unconfiguredCacheKeepsAsManyModelsAsTasksHeldAtOnce() {
        System.clearProperty(ModelCache.CONF_MAX_MODELS);
        long before = ModelCache.loads();
        // one task of a three-stage pipeline holds three models; the next task must find all three
        for (int task = 0; task < 3; task++) {
            try (ModelCache.Lease a = ModelCache.acquire(key("distilbert-seqcls", 1));
                 ModelCache.Lease b = ModelCache.acquire(key("distilbert-tokcls", 1));
                 ModelCache.Lease c = ModelCache.acquire(key("distilbert-qa", 1))) {
                assertThat(ModelCache.bound()).isEqualTo(3);
            }
            assertThat(ModelCache.size()).isEqualTo(3);
        }
        assertThat(ModelCache.loads() - before).isEqualTo(3);
        // a fixed bound still applies when set
        System.setProperty(ModelCache.CONF_MAX_MODELS, "2");
        try (ModelCache.Lease a = ModelCache.acquire(key("distilbert-seqcls", 1))) {
            assertThat(ModelCache.size()).isEqualTo(2);
        }
    }
}
