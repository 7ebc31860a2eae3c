package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.ReluRuleMethod;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.conformance.Numerics;
import dev.backlight.cpu.CpuBackend;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The CUDA backend's model on a simulated device against the CPU backend, on the whole
 * DenseNet-201 graph (all 201 ReLUs, four dense blocks, transitions, classifier) at 32×32 so that
 * the host simulation stays fast. Same seeded weights and inputs on both.
 *
 * <p>Tolerances (relative L2): 1e-4 for logits, guided and deconvnet maps, as the design requires
 * between backends; 5e-3 for vanilla gradients, whose small values come from heavy cancellation
 * (the same bounds as against the float64 reference). The simulation and the CPU backend both
 * accumulate convolutions in float32, in different orders, so they differ by float32 rounding only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaModelSimulatedTest {
    private static final int SIZE = 32;
    private Graph graph;
    private Weights weights;
    private CpuBackend cpu;

    @BeforeAll
    void start() {
        graph = DenseNet.build(DenseNetConfig.DENSENET201, SIZE, SIZE);
        weights = RandomWeights.generate(graph, 2026);
        cpu = new CpuBackend(2);
    }

    @AfterAll
    void stop() {
        cpu.close();
    }

    private static Tensor images(int n, long seed) {
        return Numerics.gaussian(Shape.of(n, 3, SIZE, SIZE), seed);
    }

    private static Tensor oneHot(int... classes) {
        float[] s = new float[classes.length * 1000];
        for (int i = 0; i < classes.length; i++) {
            s[i * 1000 + classes[i]] = 1f;
        }
        return Tensor.of(Shape.of(classes.length, 1000), s);
    }

    @Test
    void denseNet201AgreesWithTheCpuBackendForEveryRuleAndBatchesOneAndFour() {
        double[] bound = {5e-3, 1e-4, 1e-4}; // vanilla, deconvnet, guided
        CudaBackend gpu = SimulatedBackends.create(1L << 30);
        try (CompiledModel c = cpu.compile(graph, weights); CompiledModel g = gpu.compile(graph, weights)) {
            for (int n : new int[] {1, 4}) {
                Tensor x = images(n, 10 + n);
                Tensor cpuLogits = c.forward(x);
                Tensor gpuLogits = g.forward(x);
                double logitErr = Numerics.relativeL2(gpuLogits.data(), cpuLogits.data());
                assertTrue(logitErr < 1e-4, "batch " + n + ": logits relative L2 " + logitErr);
                int[] classes = n == 1 ? new int[] {291} : new int[] {3, 291, 652, 999};
                Tensor seed = oneHot(classes);
                for (BuiltinRule rule : new BuiltinRule[] {BuiltinRule.VANILLA, BuiltinRule.DECONVNET, BuiltinRule.GUIDED}) {
                    float[] expected = c.backward(seed, rule).data();
                    float[] actual = g.backward(seed, rule).data();
                    assertTrue(Numerics.allFinite(actual), rule + ": non-finite values (unwritten device memory is NaN)");
                    assertTrue(Numerics.nonZeroFraction(actual) > 0.3, rule + " map is mostly zero");
                    double err = Numerics.relativeL2(actual, expected);
                    assertTrue(err < bound[rule.ordinal()], "batch " + n + ", " + rule + ": relative L2 " + err);
                }
            }
        } finally {
            gpu.close();
        }
        assertEquals(0, gpu.deviceBytesHeld(), "device memory still held after close");
        assertTrue(gpu.leaksAtClose().isEmpty(), "leaks: " + gpu.leaksAtClose());
    }

    @Test
    void aBatchThatDoesNotFitIsSplitAndGivesTheSameNumbers() {
        Tensor x = images(5, 3);
        Tensor seed = oneHot(1, 2, 3, 4, 5);
        CompileOptions observe = CompileOptions.observing("features.relu5");
        float[] logits;
        float[] map;
        float[] act;
        float[] grad;
        CudaBackend roomy = SimulatedBackends.create(1L << 30);
        try (CompiledModel m = roomy.compile(graph, weights, observe)) {
            logits = m.forward(x).data();
            map = m.backward(seed, BuiltinRule.GUIDED).data();
            act = m.activation("features.relu5").data();
            grad = m.gradient("features.relu5").data();
            assertEquals(5, ((CudaModel) m).capacity());
        } finally {
            roomy.close();
        }
        // Room for the parameters and about two and a half images of activations.
        CudaBackend probe = new CudaBackend(new SimulatedGpu(1L << 30));
        long perImage;
        long parameters;
        try (CompiledModel m = probe.compile(graph, weights, observe)) {
            perImage = ((CudaModel) m).bytesPerImage();
            parameters = probe.deviceBytesHeld();
        } finally {
            probe.close();
        }
        SimulatedGpu tight = new SimulatedGpu(parameters + (long) (2.5 * perImage / 0.8));
        CudaBackend split = new CudaBackend(tight);
        try (CompiledModel m = split.compile(graph, weights, observe)) {
            assertArrayEquals(logits, m.forward(x).data(), "logits");
            int capacity = ((CudaModel) m).capacity();
            assertTrue(capacity >= 1 && capacity < 5, "capacity " + capacity + " should be below the batch of 5");
            assertArrayEquals(map, m.backward(seed, BuiltinRule.GUIDED).data(), "guided map");
            assertArrayEquals(act, m.activation("features.relu5").data(), "observed activation");
            assertArrayEquals(grad, m.gradient("features.relu5").data(), "observed gradient");
            // The same model again, a second rule: the resident chunk is reused, the others recomputed.
            Tensor vanilla = m.backward(seed, BuiltinRule.VANILLA);
            try (CompiledModel whole = SimulatedBackends.create(1L << 30).compile(graph, weights)) {
                whole.forward(x);
                assertArrayEquals(whole.backward(seed, BuiltinRule.VANILLA).data(), vanilla.data(), "vanilla map");
            }
        } finally {
            split.close();
        }
        assertEquals(0, split.deviceBytesHeld());
    }

    @Test
    void anAllocationFailureInsideAPassHalvesTheChunkAndRetries() {
        Tensor x = images(4, 8);
        float[] expected;
        CudaBackend roomy = SimulatedBackends.create(1L << 30);
        try (CompiledModel m = roomy.compile(graph, weights)) {
            expected = ReluRuleMethod.guidedBackprop().attribute(m, x, dev.backlight.api.method.Target.top1()).maps().get(0).data();
        } finally {
            roomy.close();
        }
        SimulatedGpu gpu = new SimulatedGpu(1L << 30);
        CudaBackend backend = new CudaBackend(gpu);
        try (CompiledModel m = backend.compile(graph, weights)) {
            gpu.failConvolutionsAboveBatch = 2; // as when cuDNN's workspace for a large batch does not fit
            float[] actual = ReluRuleMethod.guidedBackprop().attribute(m, x, dev.backlight.api.method.Target.top1()).maps().get(0).data();
            assertArrayEquals(expected, actual);
            assertTrue(((CudaModel) m).capacity() <= 2, "capacity " + ((CudaModel) m).capacity());
            assertTrue(gpu.convolutionFailures > 0, "the failure was never injected");
        } finally {
            backend.close();
        }
    }
}
