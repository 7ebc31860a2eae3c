package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.internal.plan.GraphPlan;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.conformance.Numerics;
import dev.backlight.cuda.ConvAlgorithms.Candidate;
import dev.backlight.cuda.ConvAlgorithms.Geometry;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import jcuda.jcudnn.cudnnMathType;
import org.junit.jupiter.api.Test;

/**
 * How the CUDA backend chooses convolution algorithms (review findings 2-6 and 8), on the
 * simulated device, whose cuDNN answers differently for different batches and whose algorithms
 * round differently (see {@link SimulatedGpu}). A small DenseNet (7×7/2 stem, 1×1 and 3×3
 * convolutions on channel slices of block buffers, a transition) at 32×32 keeps it fast.
 *
 * <p>Equalities are exact where the same algorithms compute the same images, as the backend
 * promises; where algorithms differ, relative L2 within 1e-5 (float32 summation orders over a
 * few layers differ by ~1e-7).
 */
class ConvolutionAlgorithmsSimulatedTest {
    private static final Graph GRAPH = DenseNet.build(new DenseNetConfig("densenet-small", 8, new int[] {2, 3}, 16, 2, 12, 1e-5f), 32, 32);
    private static final Weights WEIGHTS = RandomWeights.generate(GRAPH, 31);
    private static final long MEMORY = 256L << 20;

    /** Logits and maps of a batch computed at once, and of each image computed alone, on one backend. */
    private record BatchAndSingles(float[] batchLogits, float[] batch, float[][] singleLogits, float[][] singles) {
    }

    private static Tensor seed(int n) {
        float[] s = new float[n * 12];
        for (int i = 0; i < n; i++) {
            s[i * 12 + (3 * i + 1) % 12] = 1f;
        }
        return Tensor.of(Shape.of(n, 12), s);
    }

    private static BatchAndSingles run(SimulatedGpu gpu, Tensor x) {
        CudaBackend backend = new CudaBackend(gpu);
        try (CompiledModel m = backend.compile(GRAPH, WEIGHTS)) {
            int n = x.shape().dim(0);
            float[] batchLogits = m.forward(x).data();
            float[] batch = m.backward(seed(n), BuiltinRule.GUIDED).data();
            float[][] singleLogits = new float[n][];
            float[][] singles = new float[n][];
            float[] s = seed(n).data();
            for (int i = 0; i < n; i++) {
                singleLogits[i] = m.forward(x.slice(i, i + 1)).data();
                singles[i] = m.backward(Tensor.of(Shape.of(1, 12), java.util.Arrays.copyOfRange(s, i * 12, i * 12 + 12)), BuiltinRule.GUIDED).data();
            }
            return new BatchAndSingles(batchLogits, batch, singleLogits, singles);
        } finally {
            backend.close();
        }
    }

    private static float[] image(float[] batch, int i, int n) {
        int per = batch.length / n;
        return java.util.Arrays.copyOfRange(batch, i * per, (i + 1) * per);
    }

    private static float[] guided(SimulatedGpu gpu, Tensor x) {
        CudaBackend backend = new CudaBackend(gpu);
        try (CompiledModel m = backend.compile(GRAPH, WEIGHTS)) {
            m.forward(x);
            return m.backward(seed(x.shape().dim(0)), BuiltinRule.GUIDED).data();
        } finally {
            backend.close();
        }
    }

    /** What the backend did before review finding 2: an algorithm per batch size, cuDNN asked about the batch that runs. */
    private static final class PerBatchAlgorithmCache extends AlgorithmCache {
        private final Map<Integer, AlgorithmCache> perBatch = new HashMap<>();

        @Override
        Candidate algorithm(Geometry g, int batch, int searchBatch, IntFunction<List<Candidate>> search) {
            return perBatch.computeIfAbsent(batch, b -> new AlgorithmCache()).algorithm(g, batch, batch, search);
        }

        Map<Geometry, Integer> chosen(int batch) {
            return perBatch.get(batch).chosen();
        }
    }

    @Test
    void anImagesMapIsTheSameBitsAtEveryBatchSizeAndTheSimulationWouldSeeOtherwise() {
        Tensor x = Numerics.gaussian(Shape.of(4, 3, 32, 32), 5);
        BatchAndSingles fixed = run(new SimulatedGpu(MEMORY), x);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(fixed.singleLogits()[i], image(fixed.batchLogits(), i, 4), "image " + i + ": logits in a batch of 4 vs alone");
            assertArrayEquals(fixed.singles()[i], image(fixed.batch(), i, 4), "image " + i + ": map in a batch of 4 vs alone");
        }
        // The negative control: choosing per batch, as before the fix, gives other bits at batch 1 than at batch 4.
        PerBatchAlgorithmCache perBatch = new PerBatchAlgorithmCache();
        BatchAndSingles varying = run(new SimulatedGpu(MEMORY, CudaSettings.DEFAULTS, perBatch), x);
        long differentChoices = perBatch.chosen(4).entrySet().stream().filter(e -> !e.getValue().equals(perBatch.chosen(1).get(e.getKey()))).count();
        assertTrue(differentChoices > 0, "the simulated cuDNN must answer differently for batches 1 and 4");
        boolean anyDiffers = false;
        for (int i = 0; i < 4; i++) {
            float[] logits = image(varying.batchLogits(), i, 4);
            float[] inBatch = image(varying.batch(), i, 4);
            anyDiffers |= !java.util.Arrays.equals(varying.singleLogits()[i], logits) || !java.util.Arrays.equals(varying.singles()[i], inBatch);
            assertTrue(Numerics.relativeL2(varying.singleLogits()[i], logits) < 1e-5, "image " + i + ": other algorithms, same logits within float32 rounding");
            assertTrue(Numerics.relativeL2(varying.singles()[i], inBatch) < 1e-5, "image " + i + ": other algorithms, same maps within float32 rounding");
        }
        assertTrue(anyDiffers, differentChoices + " geometries ran other algorithms at batch 1 than at 4, yet every logit and map had the same bits:"
                + " the simulation no longer shows batch-dependence");
    }

    @Test
    void eachGeometryIsSearchedOnceByHeuristicsAndTheBackendsModelsShareTheChoices() {
        SimulatedGpu gpu = new SimulatedGpu(MEMORY);
        CudaBackend backend = new CudaBackend(gpu);
        int searches;
        try (CompiledModel a = backend.compile(GRAPH, WEIGHTS)) {
            a.forward(Numerics.gaussian(Shape.of(1, 3, 32, 32), 1));
            a.backward(seed(1), BuiltinRule.VANILLA);
            searches = backend.algorithms().searches();
            assertEquals(searches, backend.algorithms().chosen().size());
            long convolutions = GRAPH.nodes().stream().filter(nd -> nd.op() instanceof dev.backlight.api.graph.Op.Conv2d).count();
            assertTrue(searches <= 2 * convolutions && searches > convolutions / 2, searches + " searches for " + convolutions + " convolutions");
            try (CompiledModel b = backend.compile(GRAPH, WEIGHTS)) { // as bench does per batch size
                b.forward(Numerics.gaussian(Shape.of(3, 3, 32, 32), 2));
                b.backward(seed(3), BuiltinRule.GUIDED);
            }
        } finally {
            backend.close();
        }
        assertEquals(searches, backend.algorithms().searches(), "a second model and another batch size search nothing new");
        assertEquals(searches, gpu.heuristicSearches, "heuristics by default");
        assertEquals(0, gpu.measuredSearches, "cudnnFind is opt-in");
        assertTrue(backend.algorithmSummary().startsWith(searches + " searches"), backend.algorithmSummary());
    }

    @Test
    void findIsUsedWhenAskedFor() {
        SimulatedGpu gpu = new SimulatedGpu(MEMORY, new CudaSettings(0, MathMode.FP32, AlgorithmSearch.FIND));
        float[] map = guided(gpu, Numerics.gaussian(Shape.of(2, 3, 32, 32), 3));
        assertTrue(gpu.measuredSearches > 0 && gpu.heuristicSearches == 0, gpu.measuredSearches + " measured, " + gpu.heuristicSearches + " heuristic");
        float[] heuristic = guided(new SimulatedGpu(MEMORY), Numerics.gaussian(Shape.of(2, 3, 32, 32), 3));
        assertTrue(Numerics.relativeL2(map, heuristic) < 1e-5);
    }

    @Test
    void fp32RunsOnlyGemmFamilyAlgorithmsWhileTf32MayUseTransforms() {
        Tensor x = Numerics.gaussian(Shape.of(2, 3, 32, 32), 4);
        SimulatedGpu fp32 = new SimulatedGpu(MEMORY);
        float[] exact = guided(fp32, x);
        Set<String> allowed = Set.of("forward IMPLICIT_GEMM", "forward IMPLICIT_PRECOMP_GEMM", "forward GEMM", "backward-data ALGO_1");
        assertTrue(allowed.containsAll(fp32.ran.keySet()), "fp32 ran " + fp32.ran);
        assertTrue(fp32.ran.containsKey("forward GEMM"), "the simulated cuDNN reports GEMM in DEFAULT_MATH and under-reports its"
                + " workspace; it must still be used (and given the workspace it needs): " + fp32.ran);
        SimulatedGpu tf32 = new SimulatedGpu(MEMORY, new CudaSettings(0, MathMode.TF32, AlgorithmSearch.HEURISTICS));
        float[] fast = guided(tf32, x);
        assertTrue(tf32.ran.keySet().stream().anyMatch(k -> k.contains("FFT") || k.contains("WINOGRAD")), "tf32 ran " + tf32.ran);
        double err = Numerics.relativeL2(fast, exact);
        assertTrue(err > 1e-6 && err < 1e-2, "TF32 differs from fp32 by TF32 rounding: " + err);
    }

    @Test
    void whenCudnnOffersNothingInFmaMathTheLastResortRuns() {
        Tensor x = Numerics.gaussian(Shape.of(2, 3, 32, 32), 6);
        float[] expected = guided(new SimulatedGpu(MEMORY), x);
        SimulatedGpu gpu = new SimulatedGpu(MEMORY);
        gpu.reportedMath = cudnnMathType.CUDNN_TENSOR_OP_MATH;
        float[] actual = guided(gpu, x);
        assertEquals(Set.of("forward IMPLICIT_GEMM", "backward-data ALGO_1"), gpu.ran.keySet());
        assertTrue(Numerics.relativeL2(actual, expected) < 1e-5);
    }

    @Test
    void anAlgorithmRefusedWhereItRunsIsReplacedByTheNextAndItsWorkspaceIsSizedForTheBatch() {
        Tensor x = Numerics.gaussian(Shape.of(3, 3, 32, 32), 7);
        float[] expected = guided(new SimulatedGpu(MEMORY), x);
        SimulatedGpu gpu = new SimulatedGpu(MEMORY);
        gpu.refusedForward.addAll(List.of(0, 1)); // only GEMM is left, whose workspace the heuristics under-report
        float[] actual = guided(gpu, x);
        assertEquals(Set.of("forward GEMM", "backward-data ALGO_1"), gpu.ran.keySet());
        assertTrue(Numerics.relativeL2(actual, expected) < 1e-5);
        assertTrue(gpu.ledger().peakBytes() > 0);

        SimulatedGpu none = new SimulatedGpu(MEMORY);
        none.refusedForward.addAll(List.of(0, 1, 2));
        CudaException e = assertThrows(CudaException.class, () -> guided(none, x));
        assertTrue(e.getMessage().contains("refused every forward algorithm"), e.getMessage());
    }

    @Test
    void aBatchWhoseTensorsWouldPassTheElementLimitIsSplit() {
        GraphPlan plan = new GraphPlan(GRAPH, WEIGHTS, Set.of());
        long widest = Stream.concat(plan.dataSizes().stream(), plan.gradSizes().stream()).mapToLong(Long::longValue).max().orElseThrow();
        Tensor x = Numerics.gaussian(Shape.of(5, 3, 32, 32), 8);
        float[] expected = guided(new SimulatedGpu(MEMORY), x);
        SimulatedGpu gpu = new SimulatedGpu(MEMORY);
        gpu.maxTensorElements = 2 * widest + 1; // as 2³¹ − 1 elements are to cuDNN: two images fit, memory has room for all five
        CudaBackend backend = new CudaBackend(gpu);
        try (CompiledModel m = backend.compile(GRAPH, WEIGHTS)) {
            assertEquals(2, ((CudaModel) m).maxImagesPerChunk());
            m.forward(x);
            float[] actual = m.backward(seed(5), BuiltinRule.GUIDED).data();
            assertEquals(2, ((CudaModel) m).capacity(), "capacity capped by the element limit, not by memory");
            assertTrue(Numerics.relativeL2(actual, expected) < 1e-5);
        } finally {
            backend.close();
        }
        SimulatedGpu tiny = new SimulatedGpu(MEMORY);
        tiny.maxTensorElements = widest - 1;
        var e = assertThrows(IllegalArgumentException.class, () -> new CudaBackend(tiny).compile(GRAPH, WEIGHTS));
        assertTrue(e.getMessage().contains("smaller input"), e.getMessage());
        assertEquals(0, tiny.devicesOpen, "the refused model closed its device");
        assertFalse(tiny.ledger().heldBytes() > 0);
    }
}
