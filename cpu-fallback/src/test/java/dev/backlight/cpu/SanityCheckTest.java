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
                System.out.println("sanity " + method.id() + ": " + r.steps().stream()
                        .map(s -> String.format("%s abs=%.3f signed=%.3f ssim=%.3f hog=%.3f", s.name(), s.spearmanAbsolute(),
                                s.spearmanSigned(), s.ssim(), s.hog())).toList());
                if (method.id().equals("gradient")) {
                    assertTrue(Math.abs(last.spearmanSigned()) < 0.2, "vanilla gradient still correlated after full randomization: " + last);
                }
            }
        }
    }
}
