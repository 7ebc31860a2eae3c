package dev.backlight.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.GraphBuilder;
import dev.backlight.api.graph.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The non-finite weights policy: readers keep such values, {@link WeightsCheck} reports and refuses them. */
class WeightsCheckTest {
    /** conv (weight, bias) → batch norm → relu → global pool → linear (weight, bias). */
    private static Graph graph() {
        GraphBuilder g = new GraphBuilder("tiny", 3, 6, 6);
        int x = g.conv2d("conv", 0, 4, 3, 1, 1, true);
        x = g.batchNorm("bn", x, 1e-5f);
        x = g.relu("relu", x);
        x = g.globalAvgPool("gap", x);
        g.linear("fc", x, 5, true);
        return g.build();
    }

    /** Finite seeded values for every parameter; variances in [0.5, 1.5). */
    private static Map<String, Tensor> healthy(Graph graph) {
        Random random = new Random(77);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Parameter p : graph.parameters()) {
            float[] v = new float[p.shape().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = p.role() == Parameter.Role.BN_RUNNING_VAR ? 0.5f + random.nextFloat() : (float) random.nextGaussian();
            }
            tensors.put(p.name(), Tensor.of(p.shape(), v));
        }
        return tensors;
    }

    @Test
    void healthyWeightsPass() {
        Graph graph = graph();
        Weights weights = Weights.of(healthy(graph), "healthy");
        WeightsCheck.requireUsable(graph, weights);
        assertEquals(List.of(), WeightsCheck.nonFinite(weights));
    }

    @Test
    void zeroVarianceAndNegativeZeroArePermitted() {
        Graph graph = graph();
        Map<String, Tensor> tensors = healthy(graph);
        tensors.put("bn.running_var", Tensor.of(Shape.of(4), new float[] {0f, -0f, 1e-30f, 2f}));
        WeightsCheck.requireUsable(graph, Weights.of(tensors, "w"));
    }

    @Test
    void nonFiniteListsEveryTensorWithCountsInFileOrder() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("a", Tensor.of(Shape.of(5), new float[] {1, Float.NaN, Float.POSITIVE_INFINITY, Float.NaN, 2}));
        tensors.put("fine", Tensor.of(Shape.of(2), new float[] {Float.MAX_VALUE, -Float.MIN_VALUE}));
        tensors.put("b", Tensor.of(Shape.of(1), new float[] {Float.NEGATIVE_INFINITY}));
        tensors.put("nan bits", Tensor.of(Shape.of(1), new float[] {Float.intBitsToFloat(0xffc00001)}));

        List<WeightsCheck.NonFiniteTensor> found = WeightsCheck.nonFinite(Weights.of(tensors, "w"));

        assertEquals(List.of(new WeightsCheck.NonFiniteTensor("a", 2, 1, 0, 1),
                new WeightsCheck.NonFiniteTensor("b", 0, 0, 1, 0),
                new WeightsCheck.NonFiniteTensor("nan bits", 1, 0, 0, 0)), found);
        assertEquals(3, found.get(0).count());
    }

    @Test
    void refusesNonFiniteParametersNamingTheTensorAndCounts() {
        Graph graph = graph();
        Map<String, Tensor> tensors = healthy(graph);
        tensors.get("conv.weight").data()[17] = Float.NaN;
        tensors.get("conv.weight").data()[20] = Float.POSITIVE_INFINITY;

        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> WeightsCheck.requireUsable(graph, Weights.of(tensors, "model.safetensors")));

        String m = e.getMessage();
        assertTrue(m.startsWith("weights model.safetensors cannot be compiled into tiny: tensor 'conv.weight': 2 non-finite"
                + " (1 NaN, 1 +Inf, 0 -Inf; the first at flat index 17)"), m);
        assertTrue(m.contains("re-export"), m);
        assertTrue(!m.contains("more tensor"), m);
    }

    @Test
    void refusesNegativeRunningVarianceNamingTheChannel() {
        Graph graph = graph();
        Map<String, Tensor> tensors = healthy(graph);
        tensors.put("bn.running_var", Tensor.of(Shape.of(4), new float[] {1f, -0.25f, 2f, -3f}));

        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> WeightsCheck.requireUsable(graph, Weights.of(tensors, "w")));

        assertTrue(e.getMessage().contains("running variance 'bn.running_var' is negative in 2 channels (the first,"
                + " channel 1, holds -0.25)"), e.getMessage());
    }

    @Test
    void namesTheFirstProblemInGraphOrderAndCountsTheOthers() {
        Graph graph = graph();
        Map<String, Tensor> tensors = healthy(graph);
        tensors.get("fc.bias").data()[0] = Float.NEGATIVE_INFINITY;
        tensors.get("bn.weight").data()[3] = Float.NaN;
        tensors.put("bn.running_var", Tensor.of(Shape.of(4), new float[] {-1f, 1f, 1f, 1f}));
        tensors.put("unused", Tensor.of(Shape.of(1), new float[] {Float.NaN})); // not the graph's: not checked

        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> WeightsCheck.requireUsable(graph, Weights.of(tensors, "w")));

        String m = e.getMessage();
        assertTrue(m.contains(": tensor 'bn.weight': 1 non-finite"), m);
        assertTrue(m.contains("; 2 more tensors are affected: running variance 'bn.running_var' is negative in 1 channel"
                + " (the first, channel 0, holds -1.0), tensor 'fc.bias': 1 non-finite"), m);
        assertTrue(!m.contains("unused"), m);
    }

    @Test
    void aNonFiniteVarianceIsReportedAsNonFinite() {
        Graph graph = graph();
        Map<String, Tensor> tensors = healthy(graph);
        tensors.get("bn.running_var").data()[2] = Float.NaN;
        WeightsFormatException e = assertThrows(WeightsFormatException.class,
                () -> WeightsCheck.requireUsable(graph, Weights.of(tensors, "w")));
        assertTrue(e.getMessage().contains("tensor 'bn.running_var': 1 non-finite (1 NaN"), e.getMessage());
    }

    @Test
    void missingAndMisshapedTensorsAreStillNamedFirst() {
        Graph graph = graph();
        Map<String, Tensor> tensors = healthy(graph);
        tensors.remove("bn.bias");
        WeightsFormatException missing = assertThrows(WeightsFormatException.class,
                () -> WeightsCheck.requireUsable(graph, Weights.of(tensors, "w")));
        assertTrue(missing.getMessage().contains("no tensor 'bn.bias'"), missing.getMessage());

        tensors.put("bn.bias", Tensor.zeros(Shape.of(5)));
        WeightsFormatException shape = assertThrows(WeightsFormatException.class,
                () -> WeightsCheck.requireUsable(graph, Weights.of(tensors, "w")));
        assertTrue(shape.getMessage().contains("'bn.bias'") && shape.getMessage().contains("[5]"), shape.getMessage());
    }
}
