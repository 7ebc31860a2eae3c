package dev.backlight.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Availability;
import dev.backlight.api.backend.BackendOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.backend.Precision;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * On a GPU (skipped elsewhere): the algorithms cuDNN offers for DenseNet-201 at 224×224 and what
 * the backend makes of them, printed for the GPU run's record: one search per geometry whatever
 * the batch, GEMM-family algorithms only in fp32, the same image at batches 2 and 3 within 1e-5
 * (and whether its bits are the same), TF32 and cudnnFind beside fp32 and heuristics (1e-4:
 * other algorithms, other summation orders).
 */
class CudaGpuAlgorithmsTest {
    private static final Graph GRAPH = DenseNet.build(DenseNetConfig.DENSENET201, 224, 224);

    private static CudaBackend create(BackendOptions options) {
        CudaBackendProvider provider = new CudaBackendProvider();
        Availability a = provider.availability();
        assumeTrue(a.available(), "CUDA backend unavailable here: " + a.reason());
        return (CudaBackend) provider.create(options);
    }

    private static Tensor seed(int n) {
        float[] s = new float[n * 1000];
        for (int i = 0; i < n; i++) {
            s[i * 1000 + 291 + 7 * i] = 1f;
        }
        return Tensor.of(Shape.of(n, 1000), s);
    }

    /** Logits and guided map of image 0 of a batch. */
    private static float[][] imageZero(CompiledModel m, Tensor x) {
        int n = x.shape().dim(0);
        float[] logits = m.forward(x).data();
        float[] map = m.backward(seed(n), BuiltinRule.GUIDED).data();
        return new float[][] {Arrays.copyOf(logits, 1000), Arrays.copyOf(map, map.length / n)};
    }

    @Test
    void denseNet201AlgorithmsAreChosenOncePerGeometryAndKeepImagesStableAcrossBatches() {
        Weights weights = RandomWeights.generate(GRAPH, 2026);
        Tensor three = Numerics.gaussian(Shape.of(3, 3, 224, 224), 77);
        StringBuilder report = new StringBuilder();
        float[][] fp32;
        try (CudaBackend cuda = create(BackendOptions.defaults())) {
            long t0 = System.nanoTime();
            try (CompiledModel m = cuda.compile(GRAPH, weights)) {
                fp32 = imageZero(m, three.slice(0, 2));
                int searches = cuda.algorithms().searches();
                report.append("fp32 heuristics: first pass ").append((System.nanoTime() - t0) / 1_000_000).append(" ms, ")
                        .append(cuda.algorithmSummary());
                float[][] atThree = imageZero(m, three);
                assertEquals(searches, cuda.algorithms().searches(), "batch 3 must search nothing new");
                double logitErr = Numerics.relativeL2(atThree[0], fp32[0]);
                double mapErr = Numerics.relativeL2(atThree[1], fp32[1]);
                report.append("; image 0 at batch 3 vs 2: logits ").append(logitErr).append(", map ").append(mapErr)
                        .append(Arrays.equals(atThree[0], fp32[0]) && Arrays.equals(atThree[1], fp32[1]) ? " (same bits)" : " (other bits)");
                assertTrue(logitErr < 1e-5 && mapErr < 1e-5, report.toString());
            }
            Set<String> allowed = Set.of("forward IMPLICIT_GEMM", "forward IMPLICIT_PRECOMP_GEMM", "forward GEMM", "forward DIRECT",
                    "backward-data ALGO_1");
            for (Map.Entry<ConvAlgorithms.Geometry, Integer> e : cuda.algorithms().chosen().entrySet()) {
                String name = e.getKey().pass().id() + " " + ConvAlgorithms.name(e.getKey().pass(), e.getValue());
                assertTrue(allowed.contains(name), e.getKey() + " runs " + name + " in fp32");
            }
        }
        try (CudaBackend tf32 = create(BackendOptions.builder().precision(Precision.TF32).build());
             CompiledModel m = tf32.compile(GRAPH, weights)) {
            float[][] fast = imageZero(m, three.slice(0, 2));
            double err = Numerics.relativeL2(fast[1], fp32[1]);
            report.append("; tf32: ").append(tf32.algorithmSummary()).append(", map vs fp32 ").append(err)
                    .append(", logits vs fp32 ").append(Numerics.relativeL2(fast[0], fp32[0]));
            assertTrue(err < 5e-2, "TF32 map far from fp32: " + err);
        }
        try (CudaBackend find = create(BackendOptions.builder().property("cuda.algorithms", "find").build())) {
            long t0 = System.nanoTime();
            try (CompiledModel m = find.compile(GRAPH, weights)) {
                float[][] measured = imageZero(m, three.slice(0, 2));
                double err = Numerics.relativeL2(measured[1], fp32[1]);
                report.append("; find: first pass ").append((System.nanoTime() - t0) / 1_000_000).append(" ms, ")
                        .append(find.algorithmSummary()).append(", map vs heuristics ").append(err);
                // Other algorithms sum in other orders: both are float32 within 1e-4 of float64, the design's bound.
                assertTrue(err < 1e-4, report.toString());
            }
        }
        System.out.println("CUDA algorithms, DenseNet-201 224x224: " + report);
    }
}
