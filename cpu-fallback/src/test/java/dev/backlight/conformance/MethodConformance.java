package dev.backlight.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.GraphBuilder;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Baseline;
import dev.backlight.api.method.GradCam;
import dev.backlight.api.method.GuidedGradCam;
import dev.backlight.api.method.IntegratedGradients;
import dev.backlight.api.method.Quadrature;
import dev.backlight.api.method.ReluRuleMethod;
import dev.backlight.api.method.SmoothGrad;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The attribution methods checked against their definitions on small networks, on any backend.
 * Results of the same images at different batch sizes (SmoothGrad's sample batches) must have
 * identical bits unless the backend says otherwise ({@link #sameImagesAcrossBatchSizes()}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class MethodConformance {
    private static final DenseNetConfig SMALL = new DenseNetConfig("densenet-small", 8, new int[] {2, 3}, 16, 2, 12, 1e-5f);
    private Backend backend;
    private Graph dense;
    private Weights denseWeights;

    /** Creates the backend under test. */
    protected abstract Backend createBackend();

    /**
     * The relative L2 difference allowed between maps of the same images computed in batches of
     * different sizes; 0 (the default) demands identical bits. A GPU backend whose libraries choose
     * kernels by problem size may round an image differently in another batch (1e-5 leaves room
     * for float32 rounding over these small networks).
     */
    protected double sameImagesAcrossBatchSizes() {
        return 0;
    }

    private void assertSameAcrossBatchSizes(float[] expected, float[] actual, String what) {
        double tolerance = sameImagesAcrossBatchSizes();
        if (tolerance == 0) {
            assertArrayEquals(expected, actual, what);
        } else {
            double err = Numerics.relativeL2(actual, expected);
            assertTrue(err <= tolerance, what + ": relative L2 difference " + err + " (bound " + tolerance + ")");
        }
    }

    @BeforeAll
    void start() {
        backend = createBackend();
        dense = DenseNet.build(SMALL, 32, 32);
        denseWeights = RandomWeights.generate(dense, 77);
    }

    @AfterAll
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    private CompiledModel compile(AttributionMethod method) {
        return backend.compile(dense, denseWeights, new CompileOptions(method.observedNodes()));
    }

    private static Tensor input(int n, long seed) {
        return Numerics.gaussian(Shape.of(n, 3, 32, 32), seed);
    }

    @Test
    void allMethodsAreFoundById() {
        assertTrue(AttributionMethods.ids().containsAll(List.of("guided-backprop", "gradient", "deconvnet", "input-x-gradient",
                "smoothgrad", "smoothgrad-squared", "vargrad", "integrated-gradients", "grad-cam", "guided-grad-cam")));
    }

    @Test
    void inputTimesGradientIsTheProduct() {
        Tensor x = input(2, 1);
        try (CompiledModel m = compile(ReluRuleMethod.gradient())) {
            Tensor g = ReluRuleMethod.gradient().attribute(m, x, Target.top1()).map(0);
            Tensor ixg = AttributionMethods.byId("input-x-gradient").attribute(m, x, Target.top1()).map(0);
            for (int i = 0; i < g.size(); i++) {
                assertEquals(x.data()[i] * g.data()[i], ixg.data()[i], 0f);
            }
        }
    }

    @Test
    void smoothGradWithoutNoiseIsTheBaseMethod() {
        Tensor x = input(2, 2);
        for (AttributionMethod base : List.of(ReluRuleMethod.gradient(), ReluRuleMethod.guidedBackprop())) {
            try (CompiledModel m = compile(base)) {
                Attribution plain = base.attribute(m, x, Target.topK(2));
                Attribution smooth = new SmoothGrad(base, SmoothGrad.Variant.MEAN, 0.0, 5, 2, 3).attribute(m, x, Target.topK(2));
                assertArrayEquals(plain.classes(), smooth.classes());
                for (int r = 0; r < 2; r++) {
                    assertSameAcrossBatchSizes(plain.map(r).data(), smooth.map(r).data(), base.id() + " rank " + r);
                }
            }
        }
    }

    @Test
    void smoothGradVariantsAreConsistentAndSeeded() {
        Tensor x = input(1, 3);
        AttributionMethod base = ReluRuleMethod.gradient();
        try (CompiledModel m = compile(base)) {
            float[] mean = new SmoothGrad(base, SmoothGrad.Variant.MEAN, 0.1, 6, 4, 9).attribute(m, x, Target.top1()).map(0).data();
            float[] again = new SmoothGrad(base, SmoothGrad.Variant.MEAN, 0.1, 6, 1, 9).attribute(m, x, Target.top1()).map(0).data();
            float[] squared = new SmoothGrad(base, SmoothGrad.Variant.SQUARED, 0.1, 6, 4, 9).attribute(m, x, Target.top1()).map(0).data();
            float[] variance = new SmoothGrad(base, SmoothGrad.Variant.VARIANCE, 0.1, 6, 4, 9).attribute(m, x, Target.top1()).map(0).data();
            float[] plain = base.attribute(m, x, Target.top1()).map(0).data();
            assertSameAcrossBatchSizes(mean, again, "the sample batch size must not change the result");
            assertTrue(Numerics.relativeL2(mean, plain) > 1e-3, "noise must change the map");
            for (int i = 0; i < variance.length; i++) {
                assertTrue(variance[i] >= 0 && squared[i] >= 0, "variances and squares are never negative");
            }
            // VarGrad's value is checked against a closed form in VarGradClosedFormTest (cpu-fallback),
            // not against the method's own SQUARED and MEAN outputs.
        }
    }

    @Test
    void integratedGradientsIsExactOnALinearNetwork() {
        GraphBuilder g = new GraphBuilder("linear", 3, 10, 10);
        g.linear("fc", g.globalAvgPool("gap", g.conv2d("conv", 0, 4, 3, 1, 1, true)), 5, true);
        Graph graph = g.build();
        Tensor x = Numerics.gaussian(Shape.of(2, 3, 10, 10), 4);
        Tensor base = Numerics.gaussian(Shape.of(1, 3, 10, 10), 5);
        try (CompiledModel m = backend.compile(graph, RandomWeights.generate(graph, 6))) {
            Attribution ig = new IntegratedGradients(Baseline.fixed(base), 3, Quadrature.RIEMANN_LEFT, 2).attribute(m, x, Target.topK(2));
            Tensor grad = ReluRuleMethod.gradient().attribute(m, x, Target.topK(2)).map(1);
            for (int q = 0; q < grad.size(); q++) {
                double expected = (x.data()[q] - base.data()[q % base.size()]) * grad.data()[q];
                assertEquals(expected, ig.map(1).data()[q], 1e-5 * (1 + Math.abs(expected)));
            }
            assertCompleteness(ig, 1e-4);
        }
    }

    @Test
    void integratedGradientsIsCompleteOnAReluNetwork() {
        Tensor x = input(2, 7);
        try (CompiledModel m = compile(ReluRuleMethod.gradient())) {
            Attribution ig = new IntegratedGradients(Baseline.zeros(), 128, Quadrature.GAUSS_LEGENDRE, 32).attribute(m, x, Target.top1());
            assertCompleteness(ig, 2e-2);
            Attribution blurred = new IntegratedGradients(Baseline.blurred(2.0), 128, Quadrature.RIEMANN_TRAPEZOID, 64).attribute(m, x, Target.top1());
            assertCompleteness(blurred, 2e-2);
        }
    }

    private static void assertCompleteness(Attribution ig, double tolerance) {
        double[][] sum = ig.diagnostics().get(IntegratedGradients.SUM);
        double[][] delta = ig.diagnostics().get(IntegratedGradients.DELTA);
        for (int i = 0; i < sum.length; i++) {
            for (int r = 0; r < sum[i].length; r++) {
                double rel = Math.abs(sum[i][r] - delta[i][r]) / Math.max(1e-6, Math.abs(delta[i][r]));
                assertTrue(rel < tolerance, "image " + i + " rank " + r + ": sum " + sum[i][r] + " vs f(x)-f(x') " + delta[i][r]);
            }
        }
    }

    /** Bilinear upsampling of n square planes, PyTorch's align_corners=False convention. */
    private static float[] upsample(float[] src, int n, int from, int to) {
        float[] out = new float[n * to * to];
        double scale = (double) from / to;
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < to; y++) {
                for (int x = 0; x < to; x++) {
                    double sy = Math.max(0, (y + 0.5) * scale - 0.5);
                    double sx = Math.max(0, (x + 0.5) * scale - 0.5);
                    int y0 = (int) Math.floor(sy);
                    int x0 = (int) Math.floor(sx);
                    int y1 = Math.min(y0 + 1, from - 1);
                    int x1 = Math.min(x0 + 1, from - 1);
                    double fy = sy - y0;
                    double fx = sx - x0;
                    int o = i * from * from;
                    out[i * to * to + y * to + x] = (float) ((1 - fy) * ((1 - fx) * src[o + y0 * from + x0] + fx * src[o + y0 * from + x1])
                            + fy * ((1 - fx) * src[o + y1 * from + x0] + fx * src[o + y1 * from + x1]));
                }
            }
        }
        return out;
    }

    @Test
    void gradCamFollowsItsDefinitionAndGuidedGradCamIsTheProduct() {
        Tensor x = input(2, 8);
        GradCam gradCam = new GradCam();
        try (CompiledModel m = compile(gradCam)) {
            Attribution cam = gradCam.attribute(m, x, Target.top1());
            assertEquals(Shape.of(2, 1, 32, 32), cam.map(0).shape());
            // At features.relu5, the target logit's gradient is W[c, k] / (h·w) everywhere: Grad-CAM = CAM.
            Tensor a = m.activation(GradCam.DEFAULT_LAYER);
            float[] w = denseWeights.asMap().get("classifier.weight").data();
            int k = a.shape().dim(1);
            int plane = a.shape().dim(2) * a.shape().dim(3);
            Tensor cam8 = Tensor.zeros(Shape.of(2, 1, a.shape().dim(2), a.shape().dim(3)));
            for (int i = 0; i < 2; i++) {
                int c = cam.targetClass(i, 0);
                for (int p = 0; p < plane; p++) {
                    double s = 0;
                    for (int ch = 0; ch < k; ch++) {
                        s += w[c * k + ch] / plane * a.data()[(i * k + ch) * plane + p];
                    }
                    cam8.data()[i * plane + p] = (float) Math.max(0, s);
                }
            }
            assertTrue(Numerics.nonZeroFraction(cam8.data()) > 0, "the test needs a non-empty CAM");
            float[] expected = upsample(cam8.data(), 2, a.shape().dim(2), 32);
            assertTrue(Numerics.relativeL2(cam.map(0).data(), expected) < 1e-5, "Grad-CAM differs from CAM");
            Tensor guided = ReluRuleMethod.guidedBackprop().attribute(m, x, Target.top1()).map(0);
            Attribution ggc = new GuidedGradCam().attribute(m, x, Target.top1());
            for (int q = 0; q < guided.size(); q++) {
                int i = q / (3 * 1024);
                assertEquals(guided.data()[q] * cam.map(0).data()[i * 1024 + q % 1024], ggc.map(0).data()[q], 0f);
            }
        }
    }
}
