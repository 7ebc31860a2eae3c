package dev.backlight.cpu;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Node;
import dev.backlight.api.graph.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * A graph compiled for the CPU: fused steps, value placement and buffer sizes.
 *
 * <ul>
 *   <li>A batch norm whose only consumer is a ReLU is fused with it ({@link BatchNormReluStep}),
 *       so the BN output is never stored and the ReLU input is recomputed in the backward pass.
 *   <li>Concatenations are free where possible: the inputs of a concat are placed as consecutive
 *       channel slices of one block buffer, and the concat output is a view of that buffer. In a
 *       dense block every layer writes its new features straight into the block buffer and
 *       every later layer reads a prefix of it; in the backward pass every consumer adds into the
 *       block's gradient buffer, so each feature's gradient is complete when its producer is
 *       reached.
 *   <li>Block buffers and the inputs of ReLU steps are kept for the backward pass; every other
 *       value lives in a buffer shared by liveness, and so does every gradient.
 * </ul>
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
    /** Gradient buffers of block groups, zeroed at the start of every backward pass. */
    final List<Integer> groupGradBuffers = new ArrayList<>();
    /** For each step s, the gradients to zero just before step s's backward (their first writer). */
    final List<List<Value>> zeroBeforeBackward = new ArrayList<>();
    int scratchSize;

    private final List<Group> groups = new ArrayList<>();

    private static final class Group {
        int channels;
        final List<int[]> primitives = new ArrayList<>();
    }

    /** Observed node name to its value (kept, with a gradient that survives the backward pass). */
    final java.util.Map<String, Value> observed = new java.util.HashMap<>();

    ExecutionPlan(Graph graph, Weights weights) {
        this(graph, weights, java.util.Set.of());
    }

    ExecutionPlan(Graph graph, Weights weights, java.util.Set<String> observedNodes) {
        this.graph = graph;
        List<Node> nodes = graph.nodes();
        java.util.Set<String> names = new java.util.HashSet<>();
        nodes.forEach(n -> names.add(n.name()));
        for (String name : observedNodes) {
            if (!names.contains(name)) {
                throw new IllegalArgumentException("cannot observe node '" + name + "': graph " + graph.name() + " has no such node");
            }
        }
        boolean[] fused = new boolean[nodes.size()];
        for (Node n : nodes) {
            if (n.op() instanceof Op.BatchNorm && n.id() != graph.output().id() && !observedNodes.contains(n.name())) {
                List<Integer> users = graph.consumers(n.id());
                fused[n.id()] = users.size() == 1 && graph.node(users.get(0)).op() instanceof Op.Relu;
            }
        }
        Value[] valueOf = new Value[nodes.size()];
        InputStep input = null;
        for (Node n : nodes) {
            if (fused[n.id()]) {
                continue;
            }
            Shape s = n.shape();
            Value v = s.rank() == 3 ? new Value(values.size(), n.name(), s.dim(0), s.dim(1), s.dim(2))
                    : new Value(values.size(), n.name(), s.dim(0), 1, 1);
            values.add(v);
            valueOf[n.id()] = v;
            Value in = n.inputs().isEmpty() ? null : valueOf[n.inputs().get(0)];
            Op op = n.op();
            if (op instanceof Op.Input) {
                input = new InputStep(v);
                steps.add(input);
            } else if (op instanceof Op.Conv2d c) {
                float[] bias = c.bias() == null ? null : weights.get(c.bias(), Shape.of(c.outChannels())).data().clone();
                float[] w = weights.get(c.weight(), Shape.of(c.outChannels(), c.inChannels(), c.kernelH(), c.kernelW())).data().clone();
                steps.add(new ConvStep(n.name(), in, v, c.kernelH(), c.kernelW(), c.stride(), c.padding(), w, bias));
            } else if (op instanceof Op.BatchNorm bn) {
                steps.add(batchNorm(n.name(), in, v, bn, weights, false));
            } else if (op instanceof Op.Relu) {
                Node producer = graph.node(n.inputs().get(0));
                if (fused[producer.id()]) {
                    Value bnIn = valueOf[producer.inputs().get(0)];
                    steps.add(batchNorm(producer.name() + "+" + n.name(), bnIn, v, (Op.BatchNorm) producer.op(), weights, true));
                } else {
                    steps.add(new ReluStep(n.name(), in, v));
                }
            } else if (op instanceof Op.MaxPool p) {
                steps.add(new MaxPoolStep(n.name(), in, v, p.kernel(), p.stride(), p.padding()));
            } else if (op instanceof Op.AvgPool p) {
                steps.add(new AvgPoolStep(n.name(), in, v, p.kernel(), p.stride(), p.padding()));
            } else if (op instanceof Op.GlobalAvgPool) {
                steps.add(AvgPoolStep.global(n.name(), in, v));
            } else if (op instanceof Op.Linear l) {
                float[] bias = l.bias() == null ? null : weights.get(l.bias(), Shape.of(l.outFeatures())).data().clone();
                float[] w = weights.get(l.weight(), Shape.of(l.outFeatures(), l.inFeatures())).data().clone();
                steps.add(new LinearStep(n.name(), in, v, w, bias));
            } else if (op instanceof Op.Concat) {
                Value[] parts = n.inputs().stream().map(i -> valueOf[i]).toArray(Value[]::new);
                if (!placeWithoutCopy(parts, v)) {
                    steps.add(new ConcatCopyStep(n.name(), parts, v));
                }
            } else {
                throw new IllegalArgumentException("the CPU backend cannot run op " + op.kind() + " (node " + n.name() + ")");
            }
        }
        this.inputStep = input;
        this.output = valueOf[graph.output().id()];
        for (Node n : nodes) {
            if (observedNodes.contains(n.name())) {
                valueOf[n.id()].kept = true;
                observed.put(n.name(), valueOf[n.id()]);
            }
        }
        assignBuffers();
    }

    private static BatchNormReluStep batchNorm(String name, Value in, Value out, Op.BatchNorm bn, Weights weights, boolean relu) {
        Shape c = Shape.of(bn.channels());
        Tensor gamma = weights.get(bn.prefix() + ".weight", c);
        Tensor beta = weights.get(bn.prefix() + ".bias", c);
        Tensor mean = weights.get(bn.prefix() + ".running_mean", c);
        Tensor var = weights.get(bn.prefix() + ".running_var", c);
        float[] scale = new float[bn.channels()];
        float[] shift = new float[bn.channels()];
        for (int i = 0; i < scale.length; i++) {
            double a = gamma.data()[i] / Math.sqrt((double) var.data()[i] + bn.eps());
            scale[i] = (float) a;
            shift[i] = (float) (beta.data()[i] - mean.data()[i] * a);
        }
        return new BatchNormReluStep(name, in, out, scale, shift, relu);
    }

    /** Places a concat's inputs as consecutive slices of one block buffer; false if they cannot be. */
    private boolean placeWithoutCopy(Value[] parts, Value out) {
        Value first = parts[0];
        int group = first.group;
        int base = first.group >= 0 ? first.channelOffset : 0;
        Group g = group >= 0 ? groups.get(group) : new Group();
        int offset = base;
        for (Value p : parts) {
            if (p.group >= 0 ? p.group != group || p.channelOffset != offset : overlaps(g, offset, p.channels)) {
                return false;
            }
            offset += p.channels;
            if (java.util.Arrays.stream(parts).filter(q -> q == p).count() > 1) {
                return false;
            }
        }
        if (group < 0) {
            groups.add(g);
            group = groups.size() - 1;
        }
        offset = base;
        for (Value p : parts) {
            if (p.group < 0) {
                p.group = group;
                p.channelOffset = offset;
                g.primitives.add(new int[] {offset, p.channels});
            }
            offset += p.channels;
        }
        out.group = group;
        out.channelOffset = base;
        g.channels = Math.max(g.channels, offset);
        return true;
    }

    private static boolean overlaps(Group g, int offset, int channels) {
        for (int[] r : g.primitives) {
            if (offset < r[0] + r[1] && r[0] < offset + channels) {
                return true;
            }
        }
        return false;
    }

    private void assignBuffers() {
        int stepCount = steps.size();
        int[] producer = new int[values.size()];
        int[] lastUse = new int[values.size()];
        java.util.Arrays.fill(producer, -1);
        java.util.Arrays.fill(lastUse, -1);
        for (int s = 0; s < stepCount; s++) {
            Step step = steps.get(s);
            producer[step.output.id] = s;
            for (int i = 0; i < step.inputs.length; i++) {
                lastUse[step.inputs[i].id] = s;
                if (step.keepsInput(i)) {
                    step.inputs[i].kept = true;
                }
            }
            scratchSize = Math.max(scratchSize, step.scratchSize());
            if (step instanceof MaxPoolStep m) {
                indexSizes.add(m.indexSize());
                m.indexBuffer = indexSizes.size() - 1;
            }
            zeroBeforeBackward.add(new ArrayList<>());
        }
        // A value read through a zero-copy concat view is read by the view's consumers.
        for (Value v : values) {
            if (v.group >= 0) {
                continue;
            }
            v.imageStride = v.size();
        }
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            int plane = -1;
            for (Value v : values) {
                if (v.group == gi) {
                    plane = v.plane;
                }
            }
            dataSizes.add(g.channels * plane);
            gradSizes.add(g.channels * plane);
            groupGradBuffers.add(gradSizes.size() - 1);
            for (Value v : values) {
                if (v.group == gi) {
                    v.dataBuffer = dataSizes.size() - 1;
                    v.gradBuffer = gradSizes.size() - 1;
                    v.imageStride = g.channels * plane;
                }
            }
        }
        SlotAllocator data = new SlotAllocator();
        SlotAllocator grad = new SlotAllocator();
        List<Value> temps = new ArrayList<>();
        List<Integer> dataRequests = new ArrayList<>();
        List<Integer> gradRequests = new ArrayList<>();
        for (Value v : values) {
            if (v.group >= 0) {
                continue;
            }
            int p = producer[v.id];
            int last = Math.max(lastUse[v.id], p);
            boolean persistent = v.kept || v == output;
            dataRequests.add(data.request(persistent ? 0 : p, persistent ? stepCount : last, v.size()));
            // Backward runs steps in reverse: the gradient is first written by the last consumer
            // and last read by the producer. Reverse time r = stepCount - 1 - s.
            int firstWriter = v == output ? stepCount - 1 : last;
            int lastRead = observed.containsValue(v) ? 0 : p;
            gradRequests.add(grad.request(stepCount - 1 - firstWriter, stepCount - 1 - lastRead, v.size()));
            if (v != output) {
                zeroBeforeBackward.get(firstWriter).add(v);
            }
            temps.add(v);
        }
        int[] dataSlots = data.assign(dataSizes);
        int[] gradSlots = grad.assign(gradSizes);
        for (int i = 0; i < temps.size(); i++) {
            temps.get(i).dataBuffer = dataSlots[dataRequests.get(i)];
            temps.get(i).gradBuffer = gradSlots[gradRequests.get(i)];
        }
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
