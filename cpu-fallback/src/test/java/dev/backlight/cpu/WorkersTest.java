package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The worker pool: every task exactly once, the caller working too, failures and close. */
class WorkersTest {

    /** Each task's output is a chain of float sums over seeded data; it must not depend on the thread count. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void everyTaskRunsOnceAndGivesTheBitsOfOneThread(int threads) {
        int tasks = 1000;
        float[] data = new float[tasks * 64];
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) rnd.nextGaussian();
        }
        float[] expected = new float[tasks];
        for (int t = 0; t < tasks; t++) {
            expected[t] = chain(data, t);
        }
        try (Workers workers = new Workers(threads)) {
            for (int elements : new int[] {1, 64, 100_000}) {
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                float[] out = new float[tasks];
                java.util.Arrays.fill(out, Float.NaN);
                workers.run(tasks, elements, t -> {
                    runs.incrementAndGet(t);
                    out[t] = chain(data, t);
                });
                for (int t = 0; t < tasks; t++) {
                    assertEquals(1, runs.get(t), "task " + t + " with " + elements + " elements per task");
                    assertEquals(Float.floatToRawIntBits(expected[t]), Float.floatToRawIntBits(out[t]), "task " + t);
                }
            }
        }
    }

    private static float chain(float[] data, int t) {
        float s = 0f;
        for (int i = 0; i < 64; i++) {
            s = s * 0.5f + data[t * 64 + i];
        }
        return s;
    }

    /** The helper blocks in its first task until the caller has run one: a caller that only waited would hang. */
    @Test
    void theCallerRunsTasksInsteadOfOnlyWaiting() throws InterruptedException {
        try (Workers workers = new Workers(2)) {
            Thread caller = Thread.currentThread();
            CountDownLatch callerRanOne = new CountDownLatch(1);
            AtomicInteger onCaller = new AtomicInteger();
            AtomicInteger helperTimedOut = new AtomicInteger();
            workers.run(16, t -> {
                if (Thread.currentThread() == caller) {
                    onCaller.incrementAndGet();
                    callerRanOne.countDown();
                } else {
                    try {
                        if (!callerRanOne.await(10, TimeUnit.SECONDS)) {
                            helperTimedOut.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            assertTrue(onCaller.get() >= 1, "the calling thread ran no task");
            assertEquals(0, helperTimedOut.get(), "a helper waited in vain for the caller to run a task");
        }
    }

    @Test
    void smallElementWiseWorkStaysOnTheCallingThread() {
        try (Workers workers = new Workers(3)) {
            Thread caller = Thread.currentThread();
            AtomicReferenceArray<Thread> ranOn = new AtomicReferenceArray<>(8);
            workers.run(8, 49, t -> ranOn.set(t, Thread.currentThread()));
            for (int t = 0; t < 8; t++) {
                assertSame(caller, ranOn.get(t), "task " + t);
            }
        }
    }

    @Test
    void theFirstFailureReachesTheCallerAndThePoolStaysUsable() {
        try (Workers workers = new Workers(3)) {
            IllegalArgumentException boom = new IllegalArgumentException("task 37");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> workers.run(100, t -> {
                if (t == 37) {
                    throw boom;
                }
            }));
            assertSame(boom, e);
            AtomicInteger count = new AtomicInteger();
            workers.run(100, t -> count.incrementAndGet());
            assertEquals(100, count.get());
        }
    }

    /** Nested calls and calls from several threads at once (one gets the helpers, the others run alone). */
    @Test
    void concurrentAndNestedCallsEachRunAllTheirTasks() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try (Workers workers = new Workers(3)) {
            CyclicBarrier start = new CyclicBarrier(4);
            Future<?>[] futures = new Future<?>[4];
            for (int c = 0; c < 4; c++) {
                futures[c] = callers.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    for (int round = 0; round < 200; round++) {
                        AtomicIntegerArray runs = new AtomicIntegerArray(12 * 5);
                        workers.run(12, t -> workers.run(5, u -> runs.incrementAndGet(t * 5 + u)));
                        for (int i = 0; i < runs.length(); i++) {
                            assertEquals(1, runs.get(i), "round " + round + ", task " + i);
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void afterCloseCallsRunOnTheCallingThreadAndNoHelperIsAlive() {
        Workers workers = new Workers(3);
        workers.run(10, t -> { });
        workers.close();
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(workers.namePrefix()) && t.isAlive()).count());
        Thread caller = Thread.currentThread();
        AtomicInteger onCaller = new AtomicInteger();
        workers.run(10, t -> {
            if (Thread.currentThread() == caller) {
                onCaller.incrementAndGet();
            }
        });
        assertEquals(10, onCaller.get());
        workers.close(); // idempotent
    }
}
