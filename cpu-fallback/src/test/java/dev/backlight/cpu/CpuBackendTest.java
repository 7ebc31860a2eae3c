package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backends;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import org.junit.jupiter.api.Test;

/** CPU-specific properties: discovery, identical results for any thread count, the memory plan. */
class CpuBackendTest {
    private static final DenseNetConfig SMALL = new DenseNetConfig("densenet-small", 8, new int[] {3, 4}, 16, 2, 20, 1e-5f);

    @Test
    void isFoundThroughServiceLoaderAndChosenByDefault() {
        var selection = Backends.select(null);
        assertEquals("cpu", selection.chosen().name());
        assertTrue(selection.report().contains("cpu"), selection.report());
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCount() {
        Graph graph = DenseNet.build(SMALL, 40, 36);
        Weights w = RandomWeights.generate(graph, 5);
        Tensor x = Numerics.gaussian(Shape.of(3, 3, 40, 36), 6);
        Tensor seed = Numerics.gaussian(Shape.of(3, 20), 7);
        float[][] reference = null;
        for (int threads : new int[] {1, 2, 3, 7}) {
            try (CpuBackend backend = new CpuBackend(threads); CompiledModel m = backend.compile(graph, w)) {
                float[][] results = {m.forward(x).data(), m.backward(seed, BuiltinRule.GUIDED).data(),
                    m.backward(seed, BuiltinRule.VANILLA).data(), m.backward(seed, BuiltinRule.DECONVNET).data()};
                if (reference == null) {
                    reference = results;
                } else {
                    for (int i = 0; i < results.length; i++) {
                        assertArrayEquals(reference[i], results[i], threads + " threads, result " + i);
                    }
                }
            }
        }
    }

    @Test
    void repeatedPassesAndChangingBatchSizesGiveTheSameResults() {
        Graph graph = DenseNet.build(SMALL, 32, 32);
        Weights w = RandomWeights.generate(graph, 8);
        Tensor x = Numerics.gaussian(Shape.of(2, 3, 32, 32), 9);
        Tensor seed = Numerics.gaussian(Shape.of(2, 20), 10);
        try (CpuBackend backend = new CpuBackend(2); CompiledModel m = backend.compile(graph, w)) {
            float[] logits = m.forward(x).data();
            float[] map = m.backward(seed, BuiltinRule.GUIDED).data();
            m.forward(x.slice(0, 1));
            m.backward(seed.slice(0, 1), BuiltinRule.DECONVNET);
            assertArrayEquals(logits, m.forward(x).data());
            assertArrayEquals(map, m.backward(seed, BuiltinRule.GUIDED).data());
        }
    }

    @Test
    void missingOrMisshapedWeightsAreNamed() {
        Graph graph = DenseNet.build(SMALL, 32, 32);
        java.util.Map<String, Tensor> tensors = new java.util.LinkedHashMap<>(RandomWeights.generate(graph, 1).asMap());
        tensors.remove("features.denseblock2.denselayer3.norm2.running_var");
        try (CpuBackend backend = new CpuBackend(1)) {
            var missing = org.junit.jupiter.api.Assertions.assertThrows(dev.backlight.api.WeightsFormatException.class,
                    () -> backend.compile(graph, Weights.of(tensors, "test.safetensors")));
            assertTrue(missing.getMessage().contains("features.denseblock2.denselayer3.norm2.running_var"), missing.getMessage());
            assertTrue(missing.getMessage().contains("test.safetensors"), missing.getMessage());
            tensors.put("features.denseblock2.denselayer3.norm2.running_var", Tensor.zeros(Shape.of(16)));
            tensors.put("classifier.weight", Tensor.zeros(Shape.of(20, 99)));
            var shape = org.junit.jupiter.api.Assertions.assertThrows(dev.backlight.api.WeightsFormatException.class,
                    () -> backend.compile(graph, Weights.of(tensors, "test.safetensors")));
            assertTrue(shape.getMessage().contains("classifier.weight") && shape.getMessage().contains("[20, 99]"), shape.getMessage());
        }
    }

    @Test
    void denseBlocksNeedNoCopiesAndKeepOnlyWhatBackwardNeeds() {
        Graph graph = DenseNet.densenet201();
        ExecutionPlan plan = new ExecutionPlan(graph, RandomWeights.generate(graph, 1));
        assertTrue(plan.steps.stream().noneMatch(s -> s instanceof ConcatCopyStep), "a dense-block concat was copied");
        assertEquals(201, plan.steps.stream().filter(s -> s instanceof BatchNormReluStep).count(),
                "every BN+ReLU pair is fused");
        double forwardMiB = plan.dataFloatsPerImage() * 4.0 / (1 << 20);
        double gradientMiB = plan.gradFloatsPerImage() * 4.0 / (1 << 20);
        // Kept: four block buffers (~6.6 MiB), the bottleneck outputs (~20 MiB), the stem (~3 MiB);
        // every activation of DenseNet-201 together would be several hundred MiB.
        assertTrue(forwardMiB < 60, "forward buffers per image: " + forwardMiB + " MiB");
        assertTrue(gradientMiB < 30, "gradient buffers per image: " + gradientMiB + " MiB");
    }
}
