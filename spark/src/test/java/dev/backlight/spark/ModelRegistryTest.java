package dev.backlight.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The registry behind "one model per executor JVM", with values that count their builds and
 * closes: many tasks asking at once get one value; values in use are never closed; unused ones are
 * kept up to a limit, least recently used closed first; a failed build is not remembered.
 */
class ModelRegistryTest {
    /** A value that records whether it was closed. */
    static final class Model implements AutoCloseable {
        final String key;
        volatile int closes;

        Model(String key) {
            this.key = key;
        }

        @Override
        public void close() {
            closes++;
        }
    }

    private final Map<String, AtomicInteger> builds = new ConcurrentHashMap<>();

    private Model build(String key) {
        builds.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        return new Model(key);
    }

    @Test
    void tasksAskingAtOnceShareOneBuild() throws Exception {
        CountDownLatch building = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        ModelRegistry<String, Model> registry = new ModelRegistry<>(key -> {
            building.countDown();
            try {
                // Holds the build open until every thread has asked, so that they all wait for it.
                assertTrue(mayFinish.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return build(key);
        }, 2);
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ModelRegistry<String, Model>.Lease>> leases = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                leases.add(pool.submit(() -> registry.acquire("densenet201")));
            }
            assertTrue(building.await(10, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.leases() < threads && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(threads, registry.leases(), "every thread waits on the one build");
            mayFinish.countDown();
            Model first = leases.get(0).get(10, TimeUnit.SECONDS).value();
            for (Future<ModelRegistry<String, Model>.Lease> f : leases) {
                assertSame(first, f.get(10, TimeUnit.SECONDS).value());
                f.get().close();
                f.get().close(); // idempotent
            }
            assertEquals(1, builds.get("densenet201").get());
            assertEquals(1, registry.builds());
            assertEquals(0, registry.leases());
            assertEquals(0, first.closes, "an unused value is kept for the next task");
            try (ModelRegistry<String, Model>.Lease again = registry.acquire("densenet201")) {
                assertSame(first, again.value());
            }
            assertEquals(1, registry.builds());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unusedValuesBeyondTheLimitAreClosedLeastRecentlyUsedFirst() {
        ModelRegistry<String, Model> registry = new ModelRegistry<>(this::build, 1);
        Model a;
        Model b;
        Model c;
        try (ModelRegistry<String, Model>.Lease la = registry.acquire("a")) {
            a = la.value();
        }
        ModelRegistry<String, Model>.Lease lb = registry.acquire("b");
        b = lb.value();
        assertEquals(0, a.closes, "one unused value is kept");
        ModelRegistry<String, Model>.Lease la = registry.acquire("a");
        assertSame(a, la.value(), "the kept value is reused");
        ModelRegistry<String, Model>.Lease lc = registry.acquire("c");
        c = lc.value();
        assertEquals(0, a.closes + b.closes + c.closes, "nothing in use is closed");

        lc.close(); // unused: c
        assertEquals(0, c.closes);
        la.close(); // unused: c, then a; c is the least recently used
        assertEquals(1, c.closes);
        assertEquals(0, a.closes);
        lb.close(); // unused: a, then b
        assertEquals(1, a.closes);
        assertEquals(0, b.closes);
        assertEquals(1, registry.size());
        assertEquals(3, registry.builds());
    }

    @Test
    void aValueInUseIsClosedOnlyAfterItsLastLease() {
        ModelRegistry<String, Model> registry = new ModelRegistry<>(this::build, 0);
        ModelRegistry<String, Model>.Lease first = registry.acquire("k");
        ModelRegistry<String, Model>.Lease second = registry.acquire("k");
        Model model = first.value();
        first.close();
        assertEquals(0, model.closes, "still leased");
        second.close();
        assertEquals(1, model.closes, "maxIdle 0: closed when the last lease ends");
        assertNotSame(model, registry.acquire("k").value(), "built again");
    }

    @Test
    void releaseAllClosesUnusedValuesNowAndLeasedOnesAtTheirEnd() {
        ModelRegistry<String, Model> registry = new ModelRegistry<>(this::build, 4);
        Model idle;
        try (ModelRegistry<String, Model>.Lease l = registry.acquire("idle")) {
            idle = l.value();
        }
        ModelRegistry<String, Model>.Lease busy = registry.acquire("busy");

        registry.releaseAll();

        assertEquals(1, idle.closes);
        assertEquals(0, busy.value().closes, "a task is still using it");
        assertEquals(0, registry.size());
        Model fresh = registry.acquire("busy").value();
        assertNotSame(busy.value(), fresh, "a later task builds afresh");
        busy.close();
        assertEquals(1, busy.value().closes);
        assertEquals(0, fresh.closes);
    }

    @Test
    void aFailedBuildIsNotRemembered() {
        AtomicInteger attempts = new AtomicInteger();
        ModelRegistry<String, Model> registry = new ModelRegistry<>(key -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("the weights' file system was unreachable");
            }
            return build(key);
        }, 2);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> registry.acquire("k"));
        assertTrue(e.getMessage().contains("unreachable"));
        assertEquals(0, registry.size());
        assertEquals(0, registry.leases());
        try (ModelRegistry<String, Model>.Lease l = registry.acquire("k")) {
            assertFalse(l.value().closes > 0);
        }
        assertEquals(2, attempts.get());
        assertEquals(1, registry.builds());
    }
}
