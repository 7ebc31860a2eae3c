package dev.backlight.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.BackendUnavailableException;
import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Node;
import dev.backlight.api.graph.Op;
import dev.backlight.api.method.Attribution;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Target;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.api.rule.ReluSite;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.weights.SafetensorsReader;
import dev.backlight.densenet.weights.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * DenseNet-201 end to end on a backend, with seeded random weights that travel through a
 * safetensors file as real weights would. A backend's test class extends it.
 *
 * <p>Tolerances against the float64 reference (relative L2): measured with PyTorch on the same
 * kind of network, float32 gives logits ~5e-7, guided ~5e-6, deconvnet ~3e-7 and vanilla
 * gradients ~1e-3 (tiny values built from heavy cancellation). The bounds are 1e-4 for logits,
 * guided and deconvnet, as the design requires, and 5e-3 for vanilla gradients.
 *
 * <p>Hooks for backends that differ: {@link #imageSize()} (a host simulation runs 32×32),
 * {@link #sameImagesAcrossBatchSizes()} (a GPU library may round an image differently in a batch
 * of another size) and {@link #runsCustomRules()} (a GPU backend may run only the built-in rules).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class DenseNet201Conformance {
    private Backend backend;
    private Graph graph;
    private Weights weights;
    private CompiledModel model;

    /** Creates the backend under test. */
    protected abstract Backend createBackend();

    /** The input's height and width: 224 unless the backend is too slow for it (at least 32). */
    protected int imageSize() {
        return 224;
    }

    /**
     * The relative L2 difference allowed between the logits and maps of the same images computed
     * in batches of different sizes (0 demands identical bits). 1e-6 by default; a GPU backend
     * whose libraries choose kernels by problem size (cuBLAS, cuDNN within one algorithm) may
     * round an image differently in another batch, by float32 rounding compounded over the
     * network's ~200 layers, so it may allow 1e-5.
     */
    protected double sameImagesAcrossBatchSizes() {
        return 1e-6;
    }

    /**
     * Whether the backend runs custom ReLU rules (the CPU backend runs any rule; a GPU backend may
     * run only the built-in ones and must then refuse others with a typed error naming the rule).
     */
    protected boolean runsCustomRules() {
        return true;
    }

    @BeforeAll
    void start() throws IOException {
        backend = createBackend();
        graph = DenseNet.build(DenseNetConfig.DENSENET201, imageSize(), imageSize());
        Path dir = Files.createTempDirectory("backlight-densenet201");
        Path file = dir.resolve("densenet201-random.safetensors");
        SafetensorsWriter.write(file, RandomWeights.generate(graph, 2026).asMap(), Map.of("note", "seeded random weights"));
        weights = SafetensorsReader.read(file);
        Files.delete(file);
        Files.delete(dir);
        model = backend.compile(graph, weights);
    }

    @AfterAll
    void stop() {
        if (model != null) {
            model.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private Tensor images(int n, long seed) {
        return Numerics.gaussian(Shape.of(n, 3, imageSize(), imageSize()), seed);
    }

    @Test
    void agreesWithFloat64Reference() {
        Tensor x = images(1, 5);
        ReferenceModel ref = new ReferenceModel(graph, weights);
        double[] refLogits = ref.forward(ReferenceModel.widen(x), 1);
        Tensor logits = model.forward(x);
        double logitErr = Numerics.relativeL2(logits.data(), refLogits);
        int top = Target.top1().resolve(logits)[0][0];
        double[] seed = new double[1000];
        seed[top] = 1;
        Tensor seedF = Tensor.of(Shape.of(1, 1000), toFloat(seed));
        StringBuilder report = new StringBuilder("logits " + logitErr);
        assertTrue(logitErr < 1e-4, "logits relative L2 error " + logitErr);
        Map<BuiltinRule, Double> bounds = Map.of(BuiltinRule.GUIDED, 1e-4, BuiltinRule.DECONVNET, 1e-4, BuiltinRule.VANILLA, 5e-3);
        for (BuiltinRule rule : BuiltinRule.values()) {
            double[] refMap = ref.backward(seed, rule);
            float[] map = model.backward(seedF, rule).data();
            assertTrue(Numerics.allFinite(map), rule + " map has non-finite values");
            assertTrue(Numerics.nonZeroFraction(map) > 0.5, rule + " map is mostly zero");
            double err = Numerics.relativeL2(map, refMap);
            report.append(", ").append(rule).append(' ').append(err);
            assertTrue(err < bounds.get(rule), rule + " relative L2 error " + err + " (bound " + bounds.get(rule) + ")");
        }
        System.out.println("DenseNet-201 float32 vs float64 relative L2: " + report);
    }

    @Test
    void batchOfFourWithDifferentTargetsEqualsFourSingleRuns() {
        Tensor x = images(4, 6);
        int[] classes = {3, 291, 652, 999};
        AttributionMethod guided = AttributionMethods.byId("guided-backprop");
        Attribution batch = guided.attribute(model, x, Target.classes(classes));
        assertTrue(Numerics.allFinite(batch.logits().data()));
        for (int i = 0; i < 4; i++) {
            Attribution single = guided.attribute(model, x.slice(i, i + 1), Target.classes(classes[i]));
            assertEquals(classes[i], batch.targetClass(i, 0));
            assertClose(single.logits().data(), batch.logits().slice(i, i + 1).data(), sameImagesAcrossBatchSizes(), "logits of image " + i);
            assertClose(single.map(0).data(), batch.map(0).slice(i, i + 1).data(), sameImagesAcrossBatchSizes(), "map of image " + i);
        }
    }

    @Test
    void topKFromOneForwardEqualsSeparateRuns() {
        Tensor x = images(2, 7);
        AttributionMethod method = AttributionMethods.byId("deconvnet");
        Attribution topK = method.attribute(model, x, Target.topK(3));
        assertEquals(3, topK.perImage());
        for (int r = 0; r < 3; r++) {
            int[] cls = {topK.targetClass(0, r), topK.targetClass(1, r)};
            Attribution separate = method.attribute(model, x, Target.classes(cls));
            assertClose(separate.map(0).data(), topK.map(r).data(), 1e-6, "rank " + r);
        }
        float[] z = topK.logits().data();
        assertTrue(z[topK.targetClass(0, 0)] >= z[topK.targetClass(0, 1)] && z[topK.targetClass(0, 1)] >= z[topK.targetClass(0, 2)]);
    }

    @Test
    void every201ReluSiteRunsUnderTheChosenRule() {
        List<Node> relus = graph.nodes().stream().filter(n -> n.op() instanceof Op.Relu).toList();
        assertEquals(201, relus.size());
        assertTrue(relus.stream().anyMatch(n -> n.name().equals("features.relu5")), "the final ReLU after norm5 is a node");
        long expectedCalls = relus.stream().mapToLong(n -> n.shape().size()).sum();
        AtomicLong calls = new AtomicLong();
        java.util.Map<Integer, String> sites = new java.util.concurrent.ConcurrentHashMap<>();
        ReluRule counting = new ReluRule() {
            @Override
            public String id() {
                return "test-counting-guided";
            }

            @Override
            public void backward(ReluSite site, float[] x, float[] dy, float[] dx) {
                calls.addAndGet(site.elements());
                assertEquals(null, sites.put(site.index(), site.node()), "ReLU site " + site.index() + " is visited once");
                BuiltinRule.GUIDED.backward(site, x, dy, dx);
            }
        };
        Tensor x = images(1, 8);
        Tensor logits = model.forward(x);
        float[] seed = new float[1000];
        seed[Target.top1().resolve(logits)[0][0]] = 1;
        Tensor s = Tensor.of(Shape.of(1, 1000), seed);
        float[] builtin = model.backward(s, BuiltinRule.GUIDED).data();
        float[] vanilla = model.backward(s, BuiltinRule.VANILLA).data();
        assertTrue(Numerics.relativeL2(vanilla, builtin) > 0.1, "guided and vanilla maps must differ");
        if (!runsCustomRules()) {
            var refused = assertThrows(BackendUnavailableException.class, () -> model.backward(s, counting));
            assertTrue(refused.getMessage().contains(counting.id()), "the refusal names the rule: " + refused.getMessage());
            assertEquals(0, calls.get(), "a refused rule never runs");
            assertArrayEquals(builtin, model.backward(s, BuiltinRule.GUIDED).data(), "the model still works after the refusal");
            return;
        }
        float[] viaCustom = model.backward(s, counting).data();
        assertEquals(expectedCalls, calls.get(), "every element of every ReLU site passes through the rule once");
        for (int i = 0; i < relus.size(); i++) {
            assertEquals(relus.get(i).name(), sites.get(i), "the rule sees ReLU " + i + " by its node name, in forward order");
        }
        assertArrayEquals(builtin, viaCustom, "the built-in guided rule and the same rule through the SPI agree");
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static void assertClose(float[] actual, float[] expected, double tol, String what) {
        if (tol == 0) {
            assertArrayEquals(expected, actual, what + ": identical bits expected");
            return;
        }
        double err = Numerics.relativeL2(actual, expected);
        assertTrue(err <= tol, what + ": relative L2 difference " + err + " (bound " + tol + ")");
    }
}
