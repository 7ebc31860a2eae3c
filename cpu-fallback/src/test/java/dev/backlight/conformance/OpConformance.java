package dev.backlight.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.densenet.RandomWeights;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import java.util.ArrayList;
import java.util.List;

/**
 * The backend-agnostic op-level conformance suite. A backend's test class extends it and says how
 * to create the backend; every check runs against it.
 *
 * <p>Tolerances: a float32 backward pass against a float64 finite difference agrees to about
 * 1e-6 relative L2 on these small shapes (float32 rounding; the central difference with
 * h = 1e-5 in float64 is accurate to ~1e-9), so 1e-4 leaves room without hiding a wrong index or
 * a missing term, which give errors of order 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OpConformance {
    private static final double GRADIENT_TOLERANCE = 1e-4;
    private Backend backend;

    /** Creates the backend under test. */
    protected abstract Backend createBackend();

    /**
     * Whether the backend runs custom ReLU rules (the CPU backend runs any rule; a GPU backend may
     * run only the built-in ones and must then refuse others with a typed error).
     */
    protected boolean runsCustomRules() {
        return true;
    }

    @BeforeAll
    void start() {
        backend = createBackend();
    }

    @AfterAll
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    protected Backend backend() {
        return backend;
    }

    @TestFactory
    List<DynamicTest> backwardDataOfEveryOpMatchesFiniteDifferences() {
        List<DynamicTest> tests = new ArrayList<>();
        long seed = 100;
        for (Map.Entry<String, Graph> e : TestGraphs.singleOps().entrySet()) {
            long s = seed++;
            tests.add(DynamicTest.dynamicTest(e.getKey(), () -> checkGradient(e.getValue(), s)));
        }
        return tests;
    }

    private void checkGradient(Graph graph, long seed) {
        int batch = 2;
        Weights weights = RandomWeights.generate(graph, seed);
        Tensor x = Numerics.gaussian(Shape.of(batch, graph.inputShape().dim(0), graph.inputShape().dim(1), graph.inputShape().dim(2)), seed + 1);
        Tensor seedGrad = Numerics.gaussian(outputShape(graph, batch), seed + 2);
        ReferenceModel ref = new ReferenceModel(graph, weights);
        double[] xd = ReferenceModel.widen(x);
        double[] r = ReferenceModel.widen(seedGrad);
        double[] fd = new double[xd.length];
        double h = 1e-5;
        for (int i = 0; i < xd.length; i++) {
            double keep = xd[i];
            xd[i] = keep + h;
            double up = dot(ref.forward(xd, batch), r);
            xd[i] = keep - h;
            double down = dot(ref.forward(xd, batch), r);
            xd[i] = keep;
            fd[i] = (up - down) / (2 * h);
        }
        double[] refOut = ref.forward(xd, batch);
        double[] refGrad = ref.backward(r, BuiltinRule.VANILLA);
        assertTrue(Numerics.relativeL2(refGrad, fd) < 1e-6, "the float64 reference disagrees with finite differences");
        try (CompiledModel m = backend.compile(graph, weights)) {
            Tensor out = m.forward(x);
            assertEquals(outputShape(graph, batch), out.shape());
            double fwdErr = Numerics.relativeL2(out.data(), refOut);
            assertTrue(fwdErr < 1e-5, "forward relative L2 error " + fwdErr);
            Tensor grad = m.backward(seedGrad, BuiltinRule.VANILLA);
            assertEquals(x.shape(), grad.shape());
            double err = Numerics.relativeL2(grad.data(), fd);
            assertTrue(err < GRADIENT_TOLERANCE, "backward-data relative L2 error against finite differences: " + err);
        }
    }

    @Test
    void everyRuleMatchesItsFormulaOnAPlainRelu() {
        Graph graph = TestGraphs.singleOps().get("relu");
        Tensor x = Numerics.gaussian(Shape.of(2, 3, 5, 5), 7);
        Tensor dy = Numerics.gaussian(Shape.of(2, 3, 5, 5), 8);
        try (CompiledModel m = backend.compile(graph, RandomWeights.generate(graph, 1))) {
            m.forward(x);
            for (BuiltinRule rule : BuiltinRule.values()) {
                float[] dx = m.backward(dy, rule).data();
                for (int i = 0; i < dx.length; i++) {
                    float xi = x.data()[i];
                    float gi = dy.data()[i];
                    float expected;
                    switch (rule) {
                        case VANILLA: expected = xi > 0 ? gi : 0; break;
                        case DECONVNET: expected = Math.max(gi, 0); break;
                        default: expected = xi > 0 && gi > 0 ? gi : 0;
                    }
                    assertEquals(expected, dx[i], 0f, rule + " at element " + i);
                }
            }
        }
    }

    @Test
    void everyRuleMatchesItsFormulaAfterBatchNorm() {
        Graph graph = TestGraphs.singleOps().get("batchnorm+relu (fused)");
        Weights w = RandomWeights.generate(graph, 3);
        Tensor x = Numerics.gaussian(Shape.of(2, 4, 5, 6), 9);
        Tensor dy = Numerics.gaussian(Shape.of(2, 4, 5, 6), 10);
        float[] gamma = w.asMap().get("bn.weight").data();
        float[] beta = w.asMap().get("bn.bias").data();
        float[] mean = w.asMap().get("bn.running_mean").data();
        float[] var = w.asMap().get("bn.running_var").data();
        try (CompiledModel m = backend.compile(graph, w)) {
            m.forward(x);
            for (BuiltinRule rule : BuiltinRule.values()) {
                float[] dx = m.backward(dy, rule).data();
                double[] expected = new double[dx.length];
                for (int i = 0; i < dx.length; i++) {
                    int c = (i / 30) % 4;
                    double a = gamma[c] / Math.sqrt(var[c] + 1e-5);
                    double pre = (x.data()[i] - mean[c]) * a + beta[c];
                    double g = dy.data()[i];
                    double back;
                    switch (rule) {
                        case VANILLA: back = pre > 0 ? g : 0; break;
                        case DECONVNET: back = Math.max(g, 0); break;
                        default: back = pre > 0 && g > 0 ? g : 0;
                    }
                    expected[i] = a * back;
                }
                double err = Numerics.relativeL2(dx, expected);
                assertTrue(err < 1e-6, rule + ": relative L2 error " + err);
            }
        }
    }

    @Test
    void deconvnetMapDoesNotDependOnForwardMasks() {
        Graph graph = TestGraphs.maskOnlyClassifier();
        Weights w = RandomWeights.generate(graph, 11);
        Tensor seed = Numerics.gaussian(Shape.of(1, 7), 12);
        try (CompiledModel m = backend.compile(graph, w)) {
            m.forward(Numerics.gaussian(Shape.of(1, 3, 12, 12), 13));
            float[] first = m.backward(seed, BuiltinRule.DECONVNET).data();
            float[] firstGuided = m.backward(seed, BuiltinRule.GUIDED).data();
            m.forward(Numerics.gaussian(Shape.of(1, 3, 12, 12), 14));
            float[] second = m.backward(seed, BuiltinRule.DECONVNET).data();
            float[] secondGuided = m.backward(seed, BuiltinRule.GUIDED).data();
            assertArrayEquals(first, second, "deconvnet map changed with the input");
            assertTrue(Numerics.relativeL2(firstGuided, secondGuided) > 1e-2,
                    "guided maps should differ between inputs (the test would otherwise prove nothing)");
        }
    }

    @Test
    void vanillaIsTheChainRuleGradient() {
        Graph graph = TestGraphs.maskOnlyClassifier();
        Weights w = RandomWeights.generate(graph, 21);
        Tensor x = Numerics.gaussian(Shape.of(3, 3, 12, 12), 22);
        Tensor seed = Numerics.gaussian(Shape.of(3, 7), 23);
        ReferenceModel ref = new ReferenceModel(graph, w);
        ref.forward(ReferenceModel.widen(x), 3);
        try (CompiledModel m = backend.compile(graph, w)) {
            m.forward(x);
            for (BuiltinRule rule : BuiltinRule.values()) {
                double err = Numerics.relativeL2(m.backward(seed, rule).data(), ref.backward(ReferenceModel.widen(seed), rule));
                assertTrue(err < 1e-5, rule + ": relative L2 error against the float64 reference " + err);
            }
        }
    }

    @Test
    void observedNodesExposeActivationsAndGradients() {
        Graph graph = TestGraphs.maskOnlyClassifier();
        Weights w = RandomWeights.generate(graph, 41);
        Tensor x = Numerics.gaussian(Shape.of(2, 3, 12, 12), 42);
        Tensor seed = Numerics.gaussian(Shape.of(2, 7), 43);
        ReferenceModel ref = new ReferenceModel(graph, w);
        ref.forward(ReferenceModel.widen(x), 2);
        ref.backward(ReferenceModel.widen(seed), BuiltinRule.GUIDED);
        String[] observed = {"bn0", "relu1", "conv1", "input"};
        try (CompiledModel m = backend.compile(graph, w, dev.backlight.api.backend.CompileOptions.observing(observed))) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.activation("bn0"));
            m.forward(x);
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.gradient("bn0"));
            Tensor dx = m.backward(seed, BuiltinRule.GUIDED);
            for (String name : observed) {
                int id = graph.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow().id();
                Tensor a = m.activation(name);
                assertEquals(outputShapeOfNode(graph, id, 2), a.shape());
                assertTrue(Numerics.relativeL2(a.data(), ref.activation(id)) < 1e-5, name + " activation");
                assertTrue(Numerics.relativeL2(m.gradient(name).data(), ref.gradient(id)) < 1e-5, name + " gradient");
            }
            assertArrayEquals(dx.data(), m.gradient("input").data());
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.activation("relu0"));
            assertTrue(e.getMessage().contains("not observed"), e.getMessage());
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> backend.compile(graph, w, dev.backlight.api.backend.CompileOptions.observing("nosuch")));
    }

    private static Shape outputShapeOfNode(Graph graph, int id, int batch) {
        int[] d = graph.node(id).shape().dims();
        int[] full = new int[d.length + 1];
        full[0] = batch;
        System.arraycopy(d, 0, full, 1, d.length);
        return Shape.of(full);
    }

    @Test
    void customRuleRunsThroughTheSpi() {
        ReluRule scaled = ReluRule.pointwise("test-double-positive", (x, dy) -> x > 0.5f ? 2f * dy : 0f);
        Graph graph = TestGraphs.singleOps().get("relu");
        Tensor x = Numerics.gaussian(Shape.of(1, 3, 5, 5), 31);
        Tensor dy = Numerics.gaussian(Shape.of(1, 3, 5, 5), 32);
        try (CompiledModel m = backend.compile(graph, RandomWeights.generate(graph, 1))) {
            m.forward(x);
            if (!runsCustomRules()) {
                var refused = org.junit.jupiter.api.Assertions.assertThrows(dev.backlight.api.BackendUnavailableException.class,
                        () -> m.backward(dy, scaled));
                assertTrue(refused.getMessage().contains("test-double-positive"), refused.getMessage());
                return;
            }
            float[] dx = m.backward(dy, scaled).data();
            for (int i = 0; i < dx.length; i++) {
                assertEquals(x.data()[i] > 0.5f ? 2f * dy.data()[i] : 0f, dx[i], 0f);
            }
        }
    }

    @Test
    void misuseIsReportedWithTypedErrors() {
        Graph graph = TestGraphs.singleOps().get("relu");
        CompiledModel m = backend.compile(graph, RandomWeights.generate(graph, 1));
        Tensor seed = Numerics.gaussian(Shape.of(1, 3, 5, 5), 1);
        var noForward = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.backward(seed, BuiltinRule.GUIDED));
        assertTrue(noForward.getMessage().contains("forward"));
        var badInput = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> m.forward(Numerics.gaussian(Shape.of(1, 3, 5, 6), 1)));
        assertTrue(badInput.getMessage().contains("[1, 3, 5, 6]"), badInput.getMessage());
        m.forward(Numerics.gaussian(Shape.of(2, 3, 5, 5), 2));
        var badSeed = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.backward(seed, BuiltinRule.GUIDED));
        assertTrue(badSeed.getMessage().contains("seed"), badSeed.getMessage());
        m.close();
        m.close();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> m.forward(seed));
    }

    static Shape outputShape(Graph graph, int batch) {
        return outputShapeOfNode(graph, graph.output().id(), batch);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
