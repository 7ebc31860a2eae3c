package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The CUDA backend's reliability contracts, on a simulated device: flat device memory, refused weights, one call at a time. */
class CudaModelReliabilityTest {
    private static final Graph GRAPH = DenseNet.build(new DenseNetConfig("densenet-tiny", 4, new int[] {2, 2}, 8, 2, 6, 1e-5f), 16, 16);

    @Test
    void deviceMemoryStaysFlatOverThousandsOfCalls() {
        SimulatedGpu gpu = new SimulatedGpu(256L << 20);
        CudaBackend backend = new CudaBackend(gpu);
        Tensor seed = Tensor.of(Shape.of(2, 6), new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0});
        try (CompiledModel m = backend.compile(GRAPH, RandomWeights.generate(GRAPH, 5))) {
            Tensor x = Numerics.gaussian(Shape.of(2, 3, 16, 16), 9);
            m.forward(x);
            m.backward(seed, BuiltinRule.GUIDED);
            long held = backend.deviceBytesHeld();
            backend.resetDevicePeak();
            for (int i = 0; i < 2000; i++) {
                m.forward(x);
                m.backward(seed, BuiltinRule.values()[i % 3]);
                if (backend.deviceBytesHeld() != held) {
                    throw new AssertionError("call " + i + ": device bytes held went from " + held + " to " + backend.deviceBytesHeld());
                }
            }
            assertEquals(held, backend.deviceBytesPeak(), "no call allocated on the side");
        }
        backend.close();
        assertEquals(0, backend.deviceBytesHeld());
    }

    @Test
    void compileRefusesNonFiniteWeightsByName() {
        Weights good = RandomWeights.generate(GRAPH, 5);
        Map<String, Tensor> tensors = new HashMap<>(good.asMap());
        Tensor w = tensors.get("features.conv0.weight").copy();
        w.data()[3] = Float.NaN;
        tensors.put("features.conv0.weight", w);
        CudaBackend backend = SimulatedBackends.create(256L << 20);
        var e = assertThrows(WeightsFormatException.class, () -> backend.compile(GRAPH, Weights.of(tensors, "test")));
        assertTrue(e.getMessage().contains("features.conv0.weight"), e.getMessage());
        assertEquals(0, backend.deviceBytesHeld(), "nothing was uploaded for refused weights");
        backend.close();
    }

    @Test
    void aCallThatReentersTheModelIsRefused() {
        SimulatedGpu gpu = new SimulatedGpu(256L << 20);
        CudaBackend backend = new CudaBackend(gpu);
        Tensor x = Numerics.gaussian(Shape.of(1, 3, 16, 16), 9);
        try (CompiledModel m = backend.compile(GRAPH, RandomWeights.generate(GRAPH, 5))) {
            AtomicReference<RuntimeException> inner = new AtomicReference<>();
            gpu.duringConvolution = () -> {
                if (inner.get() == null) {
                    inner.set(assertThrows(IllegalStateException.class, () -> m.forward(x)));
                }
            };
            m.forward(x); // the outer call completes
            assertTrue(inner.get().getMessage().contains("re-entered"), inner.get().getMessage());
            gpu.duringConvolution = () -> { };
            m.forward(x);
        }
        backend.close();
    }
}
