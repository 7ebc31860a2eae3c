package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.ReluRuleMethod;
import dev.backlight.api.method.Target;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.DenseNet;
import dev.backlight.densenet.DenseNetConfig;
import dev.backlight.densenet.RandomWeights;
import dev.backlight.densenet.sanity.ModelRandomization;
import dev.backlight.densenet.sanity.RandomizationStep;
import dev.backlight.densenet.sanity.SanityReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model-randomization sanity check on DenseNet-201 (64×64 to keep it quick) with seeded
 * weights standing in for a trained model and a second seed as the randomization.
 */
class SanityCheckTest {
    @Test
    void vanillaGradientsDecorrelateUnderFullRandomization() {
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET201, 64, 64);
        Weights weights = RandomWeights.generate(graph, 11);
        Tensor x = Numerics.gaussian(Shape.of(1, 3, 64, 64), 12);
        Map<String, List<String>> layers = ModelRandomization.denseNetBlocks(graph);
        assertEquals(List.of("classifier", "features.norm5", "features.denseblock4", "features.transition3", "features.denseblock3",
                "features.transition2", "features.denseblock2", "features.transition1", "features.denseblock1", "features.stem"),
                List.copyOf(layers.keySet()));
        try (CpuBackend backend = new CpuBackend(2)) {
            for (var method : List.of(ReluRuleMethod.gradient(), ReluRuleMethod.guidedBackprop())) {
                SanityReport r = ModelRandomization.run(backend, graph, weights, method, x, Target.top1(), layers,
                        ModelRandomization.Mode.CASCADING, 99, step -> { });
                assertEquals(layers.size(), r.steps().size());
                RandomizationStep last = r.steps().get(r.steps().size() - 1);
                RandomizationStep half = r.steps().stream().filter(st -> st.name().equals("features.denseblock3")).findFirst()
                        .orElseThrow();
                String steps = r.steps().stream().map(st -> String.format("%s signed=%.3f", st.name(), st.spearmanSigned()))
                        .toList().toString();
                if (method.id().equals("gradient")) {
                    // The gradient depends on the weights: fully randomized, its map no longer resembles the original.
                    assertTrue(Math.abs(last.spearmanSigned()) < 0.2, "vanilla gradient still correlated after full"
                            + " randomization: " + steps);
                } else {
                    // Guided Backpropagation barely notices the top half of the network being randomized (Adebayo et al.
                    // 2018: it acts like an edge detector); measured 1.000 here at denseblock3, the bound leaves margin.
                    assertTrue(half.spearmanSigned() > 0.95, "guided backprop changed when the top half was randomized: " + steps);
                    assertTrue(half.spearmanSigned() - last.spearmanSigned() > 0.2, "randomizing the stem too should change"
                            + " the guided map: " + steps);
                }
            }
        }
    }
}
