package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.backend.ModelPool;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.ReluRuleMethod;
import dev.backlight.api.method.Target;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One model, one call at a time: overlapping calls on a CPU model fail loudly, and a
 * {@link ModelPool} shares one backend between many threads with results identical to a single
 * thread's.
 */
class ConcurrencyTest {
    private static final DenseNetConfig SMALL = new DenseNetConfig("small", 8, new int[] {2, 3}, 16, 2, 12, 1e-5f);
    private static final Graph GRAPH = DenseNet.build(SMALL, 32, 32);
    private static final Weights WEIGHTS = RandomWeights.generate(GRAPH, 31);

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertTrue(threads.awaitTermination(30, TimeUnit.SECONDS));
    }

    /** 16 threads, 16 seeded inputs, 3 rounds each (48 calls, 4 models): bits equal a single thread's. */
    @Test
    void aPoolSharedBySixteenThreadsGivesTheBitsOfSingleThreadedRuns() throws Exception {
        int callers = 16;
        int rounds = 3;
        AttributionMethod[] methods = {AttributionMethods.byId("guided-backprop"), AttributionMethods.byId("gradient"),
            AttributionMethods.byId("deconvnet")};
        Tensor[] inputs = new Tensor[callers];
        Attribution[][] expected = new Attribution[callers][rounds];
        try (CpuBackend backend = new CpuBackend(2); CompiledModel single = backend.compile(GRAPH, WEIGHTS)) {
            for (int i = 0; i < callers; i++) {
                inputs[i] = Numerics.gaussian(Shape.of(1, 3, 32, 32), 1000 + i);
                for (int r = 0; r < rounds; r++) {
                    expected[i][r] = methods[(i + r) % methods.length].attribute(single, inputs[i], Target.topK(2));
                }
            }
        }
        try (CpuBackend backend = new CpuBackend(2);
             ModelPool pool = new ModelPool(backend, GRAPH, WEIGHTS, CompileOptions.defaults(), 4)) {
            CyclicBarrier start = new CyclicBarrier(callers);
            List<Future<Attribution[]>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int caller = i;
                results.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS); // all at once, so that the pool is contended
                    Attribution[] mine = new Attribution[rounds];
                    for (int r = 0; r < rounds; r++) {
                        mine[r] = pool.attribute(methods[(caller + r) % methods.length], inputs[caller], Target.topK(2));
                    }
                    return mine;
                }));
            }
            for (int i = 0; i < callers; i++) {
                Attribution[] got = results.get(i).get(120, TimeUnit.SECONDS);
                for (int r = 0; r < rounds; r++) {
                    String what = "caller " + i + ", round " + r;
                    assertArrayEquals(expected[i][r].logits().data(), got[r].logits().data(), what + " logits");
                    assertArrayEquals(expected[i][r].classes(), got[r].classes(), what + " classes");
                    for (int k = 0; k < 2; k++) {
                        assertArrayEquals(expected[i][r].map(k).data(), got[r].map(k).data(), what + " map " + k);
                    }
                }
            }
        }
    }

    /** Four calls that are inside the pool at the same time hold four models: the pool compiles all of them. */
    @Test
    void fourSimultaneousCallsMakeThePoolCompileFourModels() throws Exception {
        AttributionMethod guided = AttributionMethods.byId("guided-backprop");
        CyclicBarrier allInside = new CyclicBarrier(4);
        AttributionMethod waitsForTheOthers = new AttributionMethod() {
            @Override
            public String id() {
                return "test-waits-for-four";
            }

            @Override
            public String description() {
                return "guided backprop, once four calls hold a model each";
            }

            @Override
            public java.util.List<dev.backlight.api.rule.ReluRule> rules() {
                return guided.rules();
            }

            @Override
            public Attribution attribute(CompiledModel model, Tensor input, Target target) {
                try {
                    allInside.await(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("four calls were never inside the pool together", e);
                }
                return guided.attribute(model, input, target);
            }
        };
        try (CpuBackend backend = new CpuBackend(2);
             ModelPool pool = new ModelPool(backend, GRAPH, WEIGHTS, CompileOptions.defaults(), 4)) {
            List<Future<Attribution>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Tensor x = Numerics.gaussian(Shape.of(1, 3, 32, 32), 2000 + i);
                results.add(threads.submit(() -> pool.attribute(waitsForTheOthers, x, Target.top1())));
            }
            for (Future<Attribution> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertEquals(4, pool.compiled(), "four calls holding a model each");
        }
    }

    /**
     * Deterministic overlap: thread A's backward blocks inside its ReLU rule, so every call made
     * meanwhile on the same model overlaps it for certain and must fail, naming the remedy; A's
     * result is then exactly that of an undisturbed run.
     */
    @Test
    void callsOverlappingAnotherThreadsCallFailInsteadOfCorruptingIt() throws Exception {
        Tensor x = Numerics.gaussian(Shape.of(2, 3, 32, 32), 5);
        Tensor seed = Numerics.gaussian(Shape.of(2, 12), 6);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ReluRule blockingGuided = new BlockingGuidedRule("blocking-guided", inside, release);
        float[] undisturbed;
        try (CpuBackend backend = new CpuBackend(1); CompiledModel m = backend.compile(GRAPH, WEIGHTS)) {
            m.forward(x);
            undisturbed = m.backward(seed, BuiltinRule.GUIDED).data();
        }
        // One worker thread: the rule runs on the calling thread, which the latch then holds inside backward.
        try (CpuBackend backend = new CpuBackend(1);
             CompiledModel model = backend.compile(GRAPH, WEIGHTS, CompileOptions.observing("features.norm5"))) {
            Future<float[]> a = threads.submit(() -> {
                Thread.currentThread().setName("caller-A");
                model.forward(x);
                return model.backward(seed, blockingGuided).data();
            });
            assertTrue(inside.await(60, TimeUnit.SECONDS), "thread A never reached its ReLU rule");

            List<IllegalStateException> refused = List.of(
                    assertThrows(IllegalStateException.class, () -> model.forward(x)),
                    assertThrows(IllegalStateException.class, () -> model.backward(seed, BuiltinRule.VANILLA)),
                    assertThrows(IllegalStateException.class, () -> model.activation("features.norm5")),
                    assertThrows(IllegalStateException.class, () -> model.gradient("features.norm5")));
            for (IllegalStateException e : refused) {
                String message = e.getMessage();
                assertTrue(message.contains("thread 'caller-A' is running backward on the same model"), message);
                assertTrue(message.contains("one call at a time") && message.contains("ModelPool"), message);
            }
            release.countDown();
            assertArrayEquals(undisturbed, a.get(60, TimeUnit.SECONDS), "the blocked call's result was disturbed");

            // Once A is done the model is free again, for any thread.
            assertEquals(Shape.of(2, 12), model.forward(x).shape());
        }
    }

    @Test
    void aRuleThatReentersItsModelIsRefused() {
        try (CpuBackend backend = new CpuBackend(1); CompiledModel model = backend.compile(GRAPH, WEIGHTS)) {
            Tensor x = Numerics.gaussian(Shape.of(1, 3, 32, 32), 8);
            model.forward(x);
            ReluRule reentrant = ReluRule.pointwise("reentrant", (in, dy) -> {
                model.forward(x);
                return dy;
            });
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> model.backward(Numerics.gaussian(Shape.of(1, 12), 9), reentrant));
            assertTrue(e.getMessage().contains("re-entered"), e.getMessage());
            assertEquals(Shape.of(1, 12), model.forward(x).shape(), "the model is usable after the refused call");
        }
    }

    /**
     * Two threads hammer one model with forward passes. Overlaps are likely but not certain here (the
     * test above makes one certain); what must hold is that every call either fails with
     * IllegalStateException or returns exactly the right logits, never numbers from a mix of inputs.
     */
    @Test
    void twoThreadsHammeringOneModelGetEitherTheRightLogitsOrIllegalState() throws Exception {
        Tensor[] inputs = {Numerics.gaussian(Shape.of(1, 3, 32, 32), 11), Numerics.gaussian(Shape.of(1, 3, 32, 32), 12)};
        float[][] expected = new float[2][];
        try (CpuBackend backend = new CpuBackend(2); CompiledModel model = backend.compile(GRAPH, WEIGHTS)) {
            for (int t = 0; t < 2; t++) {
                expected[t] = model.forward(inputs[t]).data();
            }
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger computed = new AtomicInteger();
            CyclicBarrier start = new CyclicBarrier(2);
            List<Future<?>> hammers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int mine = t;
                hammers.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < 300; i++) {
                        try {
                            assertArrayEquals(expected[mine], model.forward(inputs[mine]).data(), "call " + i);
                            computed.incrementAndGet();
                        } catch (IllegalStateException e) {
                            assertTrue(e.getMessage().contains("one call at a time"), e.getMessage());
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : hammers) {
                f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(600, refused.get() + computed.get());
            assertTrue(computed.get() >= 1, "no call got through");
        }
    }

    @Test
    void closingAModelWhileAnotherThreadUsesItLetsThatCallFinish() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AttributionMethod blocking = new ReluRuleMethod("blocking", "guided, blocking once",
                new BlockingGuidedRule("blocking", inside, release));
        Tensor x = Numerics.gaussian(Shape.of(1, 3, 32, 32), 13);
        try (CpuBackend backend = new CpuBackend(1)) {
            CompiledModel model = backend.compile(GRAPH, WEIGHTS);
            Future<Attribution> a = threads.submit(() -> blocking.attribute(model, x, Target.top1()));
            assertTrue(inside.await(60, TimeUnit.SECONDS));
            model.close();
            release.countDown();
            Attribution done = a.get(60, TimeUnit.SECONDS);
            assertTrue(Numerics.allFinite(done.map(0).data()));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.forward(x));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            model.close(); // idempotent
        }
    }

    /**
     * The Guided rule, except that its first call signals {@code inside} and waits for
     * {@code release}: a call on the model is then certainly in flight while the test acts.
     */
    private static final class BlockingGuidedRule implements ReluRule {
        private final String id;
        private final CountDownLatch inside;
        private final CountDownLatch release;
        private final AtomicBoolean first = new AtomicBoolean(true);

        BlockingGuidedRule(String id, CountDownLatch inside, CountDownLatch release) {
            this.id = id;
            this.inside = inside;
            this.release = release;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void backward(dev.backlight.api.rule.ReluSite site, float[] in, float[] dy, float[] dx) {
            if (first.getAndSet(false)) {
                inside.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            BuiltinRule.GUIDED.backward(site, in, dy, dx);
        }
    }
}
