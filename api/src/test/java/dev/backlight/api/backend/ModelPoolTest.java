package dev.backlight.api.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.GraphBuilder;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pool's lending rules, on a fake backend whose models only count how they are used. */
class ModelPoolTest {
    private static final Graph GRAPH = tinyGraph();
    private static final Tensor INPUT = Tensor.zeros(Shape.of(1, 1, 2, 2));

    private final FakeBackend backend = new FakeBackend();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void compilesLazilyAndReusesAnIdleModel() {
        try (ModelPool pool = pool(3)) {
            assertEquals(0, pool.compiled());
            List<CompiledModel> used = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                pool.attribute(method(m -> {
                    used.add(m);
                    return null;
                }), INPUT, Target.top1());
            }
            assertEquals(1, pool.compiled());
            assertEquals(1, backend.compiles.get());
            assertTrue(used.stream().allMatch(m -> m == used.get(0)), "one thread needs one model");
        }
    }

    @Test
    void lendsEachModelToOneCallAtATimeAndCompilesNoMoreThanTheSize() throws Exception {
        int size = 3;
        Set<CompiledModel> inUse = ConcurrentHashMap.newKeySet();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger mostConcurrent = new AtomicInteger();
        AttributionMethod busy = method(m -> {
            if (!inUse.add(m)) {
                overlaps.incrementAndGet();
            }
            mostConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            sleep(2);
            concurrent.decrementAndGet();
            inUse.remove(m);
            return null;
        });
        try (ModelPool pool = pool(size)) {
            List<Future<?>> calls = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                calls.add(threads.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        pool.attribute(busy, INPUT, Target.top1());
                    }
                }));
            }
            for (Future<?> f : calls) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(0, overlaps.get(), "a model was lent to two calls at once");
            assertTrue(mostConcurrent.get() <= size, "concurrent calls: " + mostConcurrent.get());
            assertEquals(size, pool.compiled());
            assertEquals(size, backend.compiles.get());
        }
    }

    @Test
    void closeClosesIdleModelsAtOnceAndBorrowedOnesOnReturn() throws Exception {
        ModelPool pool = pool(2);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> pool.attribute(method(m -> {
            inside.countDown();
            await(release);
            return null;
        }), INPUT, Target.top1()));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        pool.attribute(method(m -> null), INPUT, Target.top1()); // compiles a second model, left idle
        assertEquals(2, pool.compiled());

        pool.close();
        assertEquals(1, backend.closed.get(), "the idle model is closed at once");
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertEquals(2, backend.closed.get(), "the borrowed model is closed when its call returns");
        assertEquals(0, pool.compiled());

        pool.close(); // idempotent
        assertEquals(2, backend.closed.get());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> pool.attribute(method(m -> null), INPUT, Target.top1()));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void aCallWaitingForAModelFailsWhenThePoolCloses() throws Exception {
        ModelPool pool = pool(1);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> pool.attribute(method(m -> {
            inside.countDown();
            await(release);
            return null;
        }), INPUT, Target.top1()));
        assertTrue(inside.await(10, TimeUnit.SECONDS));
        Future<?> waiter = threads.submit(() -> pool.attribute(method(m -> null), INPUT, Target.top1()));
        waitUntilWaiting(pool);

        pool.close();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> waiter.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertEquals(1, backend.closed.get());
    }

    @Test
    void anInterruptedWaiterGetsCancellationAndKeepsItsInterruptFlag() throws Exception {
        try (ModelPool pool = pool(1)) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Future<?> holder = threads.submit(() -> pool.attribute(method(m -> {
                inside.countDown();
                await(release);
                return null;
            }), INPUT, Target.top1()));
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            Thread.currentThread().interrupt();
            CancellationException e = assertThrows(CancellationException.class,
                    () -> pool.attribute(method(m -> null), INPUT, Target.top1()));
            assertTrue(Thread.interrupted(), "the interrupt flag stays set");
            assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
            release.countDown();
            holder.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aModelWhoseCallFailedUnexpectedlyIsReplacedButCallerMistakesKeepIt() {
        try (ModelPool pool = pool(1)) {
            List<CompiledModel> used = new ArrayList<>();
            AttributionMethod record = method(m -> {
                used.add(m);
                return null;
            });
            pool.attribute(record, INPUT, Target.top1());
            assertThrows(IllegalArgumentException.class, () -> pool.attribute(method(m -> {
                throw new IllegalArgumentException("wrong input shape");
            }), INPUT, Target.top1()));
            pool.attribute(record, INPUT, Target.top1());
            assertSame(used.get(0), used.get(1), "a caller mistake leaves the model in the pool");

            assertThrows(UnsupportedOperationException.class, () -> pool.attribute(method(m -> {
                throw new UnsupportedOperationException("broken");
            }), INPUT, Target.top1()));
            assertEquals(1, backend.closed.get(), "the model that failed is closed");
            pool.attribute(record, INPUT, Target.top1());
            assertNotSame(used.get(0), used.get(2), "and replaced by a fresh one");
            assertEquals(2, backend.compiles.get());
        }
    }

    @Test
    void aFailedCompilationFreesItsPlace() {
        backend.failNextCompile = true;
        try (ModelPool pool = pool(1)) {
            assertThrows(WeightsFormatException.class, () -> pool.attribute(method(m -> null), INPUT, Target.top1()));
            assertEquals(0, pool.compiled());
            pool.attribute(method(m -> null), INPUT, Target.top1());
            assertEquals(1, pool.compiled());
        }
    }

    @Test
    void refusesAMethodThatObservesNodesThePoolDoesNot() {
        AttributionMethod gradCamLike = new TestMethod(m -> null) {
            @Override
            public Set<String> observedNodes() {
                return Set.of("relu");
            }
        };
        try (ModelPool pool = pool(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.attribute(gradCamLike, INPUT, Target.top1()));
            assertTrue(e.getMessage().contains("[relu]") && e.getMessage().contains("CompileOptions.observing"),
                    e.getMessage());
            assertEquals(0, backend.compiles.get());
        }
        try (ModelPool observing = new ModelPool(backend, GRAPH, Weights.of(Map.of(), "none"),
                CompileOptions.observing("relu"), 1)) {
            observing.attribute(gradCamLike, INPUT, Target.top1());
        }
    }

    @Test
    void rejectsASizeBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }

    // ---- helpers -----------------------------------------------------------------------------

    private ModelPool pool(int size) {
        return new ModelPool(backend, GRAPH, Weights.of(Map.of(), "none"), CompileOptions.defaults(), size);
    }

    private static Graph tinyGraph() {
        GraphBuilder g = new GraphBuilder("tiny", 1, 2, 2);
        g.relu("relu", 0);
        return g.build();
    }

    /** Waits until the pool's only model is busy and another thread is blocked in the pool's lock. */
    private static void waitUntilWaiting(ModelPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!pool.hasWaiters() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(pool.hasWaiters(), "no call started waiting");
    }

    private static AttributionMethod method(Function<CompiledModel, Void> body) {
        return new TestMethod(body);
    }

    private static class TestMethod implements AttributionMethod {
        private final Function<CompiledModel, Void> body;

        TestMethod(Function<CompiledModel, Void> body) {
            this.body = body;
        }

        @Override
        public String id() {
            return "test";
        }

        @Override
        public String description() {
            return "runs a test body on the model";
        }

        @Override
        public List<ReluRule> rules() {
            return List.of(BuiltinRule.GUIDED);
        }

        @Override
        public Attribution attribute(CompiledModel model, Tensor input, Target target) {
            body.apply(model);
            return new Attribution(id(), model.backendName(), Tensor.zeros(Shape.of(1, 1)), new int[][] {{0}},
                    List.of());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Compiles models that do nothing but count compilations and closes. */
    private static final class FakeBackend implements Backend {
        final AtomicInteger compiles = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        volatile boolean failNextCompile;

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public CompiledModel compile(Graph graph, Weights weights, CompileOptions options) {
            if (failNextCompile) {
                failNextCompile = false;
                throw new WeightsFormatException("weights none: tensor 'x' is damaged");
            }
            compiles.incrementAndGet();
            return new CompiledModel() {
                private boolean isClosed;

                @Override
                public Graph graph() {
                    return graph;
                }

                @Override
                public String backendName() {
                    return "fake";
                }

                @Override
                public Tensor forward(Tensor input) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Tensor backward(Tensor seed, ReluRule rule) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Tensor activation(String node) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Tensor gradient(String node) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                    assertFalse(isClosed, "the pool closed a model twice");
                    isClosed = true;
                    closed.incrementAndGet();
                }
            };
        }

        @Override
        public void close() {
        }
    }
}
