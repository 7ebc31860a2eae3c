package dev.backlight.densenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Op;
import dev.backlight.api.internal.plan.GraphPlan;
import dev.backlight.api.internal.plan.PlanStep;
import dev.backlight.api.internal.plan.PlanValue;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The execution plan every backend runs, on DenseNet: fusions, block buffers, memory per image. */
class DenseNetPlanTest {
    @Test
    void denseNet201PlansEveryReluAsAFusedStepWithFreeConcatenation() {
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET201, 224, 224);
        GraphPlan plan = new GraphPlan(graph, RandomWeights.generate(graph, 1), Set.of());
        long relus = plan.steps().stream().filter(s -> s instanceof PlanStep.BatchNormRelu b && b.relu()).count();
        assertEquals(graph.count(Op.Relu.class), relus, "every ReLU is a fused batch-norm + ReLU step");
        assertEquals(201, relus);
        assertEquals(0, plan.steps().stream().filter(s -> s instanceof PlanStep.ConcatCopy).count(), "no concat copies");
        assertEquals(4, plan.blockGradBuffers().size(), "one block buffer per dense block");
        long bytes = 4 * (plan.dataFloatsPerImage() + plan.gradFloatsPerImage() + plan.argmaxIntsPerImage());
        System.out.printf("DenseNet-201 224x224 plan: %.1f MiB forward, %.1f MiB gradients per image%n",
                plan.dataFloatsPerImage() * 4 / 1048576.0, plan.gradFloatsPerImage() * 4 / 1048576.0);
        assertTrue(bytes < 64L << 20, "per-image buffers " + bytes + " bytes; autograd would keep several hundred MiB");
    }

    @Test
    void observedNodesKeepTheirValueAndGradient() {
        Graph graph = DenseNet.build(DenseNetConfig.DENSENET121, 32, 32);
        GraphPlan plan = new GraphPlan(graph, RandomWeights.generate(graph, 1), Set.of("features.relu5"));
        PlanValue v = plan.observed().get("features.relu5");
        assertTrue(v.kept());
        for (PlanValue other : plan.values()) {
            if (other != v && other.group() < 0 && other.dataBuffer() == v.dataBuffer()) {
                throw new AssertionError(other + " shares the observed value's buffer");
            }
        }
    }
}
