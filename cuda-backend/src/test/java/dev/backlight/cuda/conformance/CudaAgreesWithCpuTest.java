package dev.backlight.cuda.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.backend.DeviceMemoryReporter;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.conformance.Numerics;
import dev.backlight.cpu.CpuBackend;
import dev.backlight.cuda.CudaBackend;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * DenseNet-201 at 224×224 on the GPU against the CPU backend, same seeded weights and images:
 * logits and the three maps for batches 1 and 4 with per-image targets (skipped where the CUDA
 * backend is unavailable).
 *
 * <p>Tolerances (relative L2): 1e-4 for logits, guided and deconvnet maps (the design's bound);
 * 5e-3 for vanilla gradients, which come from heavy cancellation and differ more between any two
 * float32 summation orders (CPU vs float64: 1.3e-3 on this network).
 */
class CudaAgreesWithCpuTest {
    @Test
    void denseNet201MapsAgreeWithTheCpuBackend() {
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET201, 224, 224);
        Weights weights = RandomWeights.generate(graph, 2026);
        // Vanilla gradients are sums with heavy cancellation (see the design's numbers); the others 1e-4.
        java.util.Map<BuiltinRule, Double> bound = java.util.Map.of(BuiltinRule.VANILLA, 5e-3, BuiltinRule.DECONVNET, 1e-4,
                BuiltinRule.GUIDED, 1e-4);
        StringBuilder report = new StringBuilder();
        try (Backend gpu = CudaTestSupport.createOrSkip(); CpuBackend cpu = new CpuBackend(Runtime.getRuntime().availableProcessors());
             CompiledModel g = gpu.compile(graph, weights); CompiledModel c = cpu.compile(graph, weights)) {
            for (int n : new int[] {1, 4}) {
                Tensor x = Numerics.gaussian(Shape.of(n, 3, 224, 224), 40 + n);
                double logitErr = Numerics.relativeL2(g.forward(x).data(), c.forward(x).data());
                report.append("batch ").append(n).append(": logits ").append(String.format("%.2e", logitErr));
                assertTrue(logitErr < 1e-4, "batch " + n + ": logits relative L2 " + logitErr);
                int[] classes = n == 1 ? new int[] {291} : new int[] {3, 291, 652, 999};
                float[] s = new float[n * 1000];
                for (int i = 0; i < n; i++) {
                    s[i * 1000 + classes[i]] = 1f;
                }
                Tensor seed = Tensor.of(Shape.of(n, 1000), s);
                for (BuiltinRule rule : new BuiltinRule[] {BuiltinRule.VANILLA, BuiltinRule.DECONVNET, BuiltinRule.GUIDED}) {
                    float[] expected = c.backward(seed, rule).data();
                    float[] actual = g.backward(seed, rule).data();
                    assertTrue(Numerics.allFinite(actual), rule + ": non-finite values");
                    double err = Numerics.relativeL2(actual, expected);
                    report.append(", ").append(rule).append(' ').append(String.format("%.2e", err));
                    assertTrue(err < bound.get(rule), "batch " + n + ", " + rule + ": relative L2 " + err);
                }
                report.append("; ");
            }
            report.append("device peak ").append(((DeviceMemoryReporter) gpu).deviceBytesPeak() >> 20).append(" MiB");
            System.out.println("CUDA vs CPU, DenseNet-201 224x224: " + report);
        }
    }

    @Test
    void closingTheBackendLeavesNoDeviceMemory() {
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET121, 64, 64);
        Weights weights = RandomWeights.generate(graph, 7);
        Backend gpu = CudaTestSupport.createOrSkip();
        CudaBackend cuda = (CudaBackend) gpu;
        try (CompiledModel m = gpu.compile(graph, weights)) {
            m.forward(Numerics.gaussian(Shape.of(3, 3, 64, 64), 1));
            m.backward(Tensor.of(Shape.of(3, 1000), new float[3000]), BuiltinRule.GUIDED);
            assertTrue(cuda.deviceBytesHeld() > 0);
        }
        gpu.close();
        assertEquals(0, cuda.deviceBytesHeld(), "device bytes held after close");
        assertTrue(cuda.leaksAtClose().isEmpty(), "leaks: " + cuda.leaksAtClose());
    }
}
