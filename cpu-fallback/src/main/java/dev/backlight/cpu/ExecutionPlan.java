package dev.backlight.cpu;

import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.internal.plan.GraphPlan;
import dev.backlight.api.internal.plan.PlanStep;
import dev.backlight.api.internal.plan.PlanValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared {@link GraphPlan} (fused batch norm + ReLU, zero-copy dense-block buffers, buffers
 * shared by liveness — the same plan the CUDA backend runs) turned into CPU steps over Java arrays.
 */
final class ExecutionPlan {
    final Graph graph;
    final List<Step> steps = new ArrayList<>();
    final List<Value> values = new ArrayList<>();
    final InputStep inputStep;
    final Value output;
    final List<Integer> dataSizes = new ArrayList<>();
    final List<Integer> gradSizes = new ArrayList<>();
    final List<Integer> indexSizes = new ArrayList<>();
    /** Gradient buffers of blocks, zeroed at the start of every backward pass. */
    final List<Integer> groupGradBuffers;
    /** For each step s, the gradients to zero just before step s's backward (their first writer). */
    final List<List<Value>> zeroBeforeBackward = new ArrayList<>();
    /** Observed node name to its value (kept, with a gradient that survives the backward pass). */
    final Map<String, Value> observed = new HashMap<>();
    int scratchSize;
    /** ReLUs mapped so far, in forward order: the next one's index. */
    private int reluCount;

    ExecutionPlan(Graph graph, Weights weights) {
        this(graph, weights, Set.of());
    }

    ExecutionPlan(Graph graph, Weights weights, Set<String> observedNodes) {
        GraphPlan plan = new GraphPlan(graph, weights, observedNodes);
        this.graph = graph;
        for (PlanValue p : plan.values()) {
            Value v = new Value(p.id(), p.name(), p.channels(), p.height(), p.width());
            v.group = p.group();
            v.channelOffset = p.channelOffset();
            v.dataBuffer = p.dataBuffer();
            v.gradBuffer = p.gradBuffer();
            v.imageStride = Math.toIntExact(p.imageStride());
            v.kept = p.kept();
            values.add(v);
        }
        InputStep input = null;
        for (PlanStep s : plan.steps()) {
            Step step = step(s, plan);
            if (step instanceof InputStep i) {
                input = i;
            }
            steps.add(step);
            scratchSize = Math.max(scratchSize, step.scratchSize());
        }
        this.inputStep = input;
        this.output = values.get(plan.output().id());
        plan.dataSizes().forEach(n -> dataSizes.add(Math.toIntExact(n)));
        plan.gradSizes().forEach(n -> gradSizes.add(Math.toIntExact(n)));
        this.groupGradBuffers = List.copyOf(plan.blockGradBuffers());
        for (int s = 0; s < plan.steps().size(); s++) {
            zeroBeforeBackward.add(plan.zeroBeforeBackward(s).stream().map(p -> values.get(p.id())).toList());
        }
        plan.observed().forEach((name, p) -> observed.put(name, values.get(p.id())));
    }

    private Step step(PlanStep s, GraphPlan plan) {
        Value out = values.get(s.output().id());
        if (s instanceof PlanStep.Input) {
            return new InputStep(out);
        }
        if (s instanceof PlanStep.ConcatCopy c) {
            Value[] parts = java.util.Arrays.stream(c.parts()).map(p -> values.get(p.id())).toArray(Value[]::new);
            return new ConcatCopyStep(c.name(), parts, out);
        }
        Value in = values.get(s.inputs()[0].id());
        if (s instanceof PlanStep.Conv c) {
            return new ConvStep(c.name(), in, out, c.kernelH(), c.kernelW(), c.stride(), c.padding(), plan.parameter(c.weight()),
                    c.bias() < 0 ? null : plan.parameter(c.bias()));
        } else if (s instanceof PlanStep.BatchNormRelu b) {
            return new BatchNormReluStep(b.name(), in, out, plan.parameter(b.scale()), plan.parameter(b.shift()), b.relu(),
                    b.relu() ? reluCount++ : -1);
        } else if (s instanceof PlanStep.Relu r) {
            return new ReluStep(r.name(), in, out, reluCount++);
        } else if (s instanceof PlanStep.MaxPool p) {
            MaxPoolStep m = new MaxPoolStep(p.name(), in, out, p.kernel(), p.stride(), p.padding());
            indexSizes.add(m.indexSize());
            m.indexBuffer = indexSizes.size() - 1;
            return m;
        } else if (s instanceof PlanStep.AvgPool p) {
            return new AvgPoolStep(p.name(), in, out, p.kernel(), p.stride(), p.padding());
        } else if (s instanceof PlanStep.GlobalAvgPool p) {
            return AvgPoolStep.global(p.name(), in, out);
        } else if (s instanceof PlanStep.Linear l) {
            return new LinearStep(l.name(), in, out, plan.parameter(l.weight()), l.bias() < 0 ? null : plan.parameter(l.bias()));
        }
        throw new IllegalArgumentException("the CPU backend cannot run step " + s.name());
    }

    /** Total floats per image of forward buffers (for reports). */
    long dataFloatsPerImage() {
        return dataSizes.stream().mapToLong(Integer::longValue).sum();
    }

    /** Total floats per image of gradient buffers (for reports). */
    long gradFloatsPerImage() {
        return gradSizes.stream().mapToLong(Integer::longValue).sum();
    }
}
