package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.ReluRuleMethod;
import dev.backlight.api.method.Target;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import org.junit.jupiter.api.Test;

/** The opt-in JIT warm-up: it runs beside the caller, ends by itself, and changes no result. */
class JitWarmUpTest {
    private static final DenseNetConfig TINY = new DenseNetConfig("tiny", 4, new int[] {2, 2}, 8, 2, 10, 1e-5f);

    @Test
    void theWarmUpEndsByItselfAndChangesNoResult() throws InterruptedException {
        Graph graph = DenseNet.build(TINY, 32, 32);
        Weights weights = RandomWeights.generate(graph, 5);
        Tensor x = Numerics.gaussian(Shape.of(2, 3, 32, 32), 6);
        CpuBackendProvider provider = new CpuBackendProvider();
        float[] plain;
        try (Backend b = provider.create(BackendOptions.builder().threads(2).build()); CompiledModel m = b.compile(graph, weights)) {
            plain = ReluRuleMethod.guidedBackprop().attribute(m, x, Target.top1()).map(0).data();
        }
        float[] warmed;
        int started = JitWarmUp.STARTED.get();
        try (Backend b = provider.create(BackendOptions.builder().threads(2).property("cpu.warmup", "true").build());
             CompiledModel m = b.compile(graph, weights)) {
            assertTrue(JitWarmUp.STARTED.get() == started + 1, "the warm-up is started with the backend");
            warmed = ReluRuleMethod.guidedBackprop().attribute(m, x, Target.top1()).map(0).data();
        }
        assertArrayEquals(plain, warmed);
        Thread t = warmUpThread();
        if (t != null) {
            t.join(60_000);
        }
        assertTrue(warmUpThread() == null && JitWarmUp.FINISHED.get() >= started + 1, "the warm-up ends by itself");
    }

    @Test
    void badPropertiesAreRefusedNamingTheKnownOne() {
        CpuBackendProvider provider = new CpuBackendProvider();
        var bad = assertThrows(IllegalArgumentException.class,
                () -> provider.create(BackendOptions.builder().property("cpu.warmup", "yes").build()));
        assertTrue(bad.getMessage().contains("true or false"), bad.getMessage());
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> provider.create(BackendOptions.builder().property("cpu.turbo", "true").build()));
        assertTrue(unknown.getMessage().contains("cpu.warmup"), unknown.getMessage());
    }

    private static Thread warmUpThread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("backlight-cpu-warm-up") && t.isAlive())
                .findFirst().orElse(null);
    }
}
