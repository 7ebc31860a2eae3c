package dev.backlight.api.internal.plan;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Node;
import dev.backlight.api.graph.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph planned for execution, shared by every backend so that they run the same arithmetic:
 * fused steps, where every value lives, and the size of every buffer per image.
 *
 * <ul>
 *   <li>A batch norm whose only consumer is a ReLU is fused with it: its output is never stored,
 *       and the backward step recomputes the ReLU's input from the batch norm's input (kept).
 *   <li>The inputs of a concat are consecutive channel slices of one block buffer, so dense-block
 *       concatenation costs nothing: every layer writes its features into the block buffer and
 *       reads a prefix of it (cuDNN reads and writes such slices through strided descriptors),
 *       and every consumer's backward adds into the block's gradient buffer.
 *   <li>Other values and all gradients share buffers by liveness.
 * </ul>
 *
 * <p>A backend runs {@link #steps()} in order for the forward pass. For the backward pass it zeroes
 * the {@link #blockGradBuffers()}, seeds the output's gradient, then runs the steps in reverse,
 * zeroing {@link #zeroBeforeBackward(int)} before each; every step's backward <em>adds</em> into
 * its inputs' gradients.
 *
 * <p>Immutable after construction; one plan serves every batch size. The parameter arrays are
 * shared: read them, never write them.
 */
public final class GraphPlan {
    private final Graph graph;
    private final List<PlanStep> steps = new ArrayList<>();
    private final List<PlanValue> values = new ArrayList<>();
    private final PlanStep.Input input;
    private final PlanValue output;
    private final List<float[]> parameters = new ArrayList<>();
    private final List<Long> dataSizes = new ArrayList<>();
    private final List<Long> gradSizes = new ArrayList<>();
    private final List<Long> argmaxSizes = new ArrayList<>();
    private final List<Integer> groupGradBuffers = new ArrayList<>();
    private final List<List<PlanValue>> zeroBeforeBackward = new ArrayList<>();
    private final Map<String, PlanValue> observed = new HashMap<>();

    private final List<Integer> groupChannels = new ArrayList<>();
    /** Per block, the channel ranges {offset, channels} of the values written into it (not the concat views). */
    private final List<List<int[]>> groupRanges = new ArrayList<>();

    /**
     * Plans a graph with its weights.
     *
     * @param observedNodes nodes whose forward value and gradient are kept for the caller
     * @throws IllegalArgumentException if an observed node does not exist, or the graph has an op no backend runs
     * @throws dev.backlight.api.WeightsFormatException if a parameter is missing or mis-shaped
     */
    public GraphPlan(Graph graph, Weights weights, Set<String> observedNodes) {
        this.graph = graph;
        List<Node> nodes = graph.nodes();
        Set<String> names = new HashSet<>();
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
        PlanValue[] valueOf = new PlanValue[nodes.size()];
        PlanStep.Input in = null;
        for (Node n : nodes) {
            if (fused[n.id()]) {
                continue;
            }
            Shape s = n.shape();
            PlanValue v = s.rank() == 3 ? new PlanValue(values.size(), n.name(), s.dim(0), s.dim(1), s.dim(2))
                    : new PlanValue(values.size(), n.name(), s.dim(0), 1, 1);
            values.add(v);
            valueOf[n.id()] = v;
            PlanValue x = n.inputs().isEmpty() ? null : valueOf[n.inputs().get(0)];
            Op op = n.op();
            if (op instanceof Op.Input) {
                in = new PlanStep.Input(n.name(), v);
                steps.add(in);
            } else if (op instanceof Op.Conv2d c) {
                int w = parameter(weights.get(c.weight(), Shape.of(c.outChannels(), c.inChannels(), c.kernelH(), c.kernelW())));
                int b = c.bias() == null ? -1 : parameter(weights.get(c.bias(), Shape.of(c.outChannels())));
                steps.add(new PlanStep.Conv(n.name(), x, v, c.kernelH(), c.kernelW(), c.stride(), c.padding(), w, b));
            } else if (op instanceof Op.BatchNorm bn) {
                steps.add(batchNorm(n.name(), x, v, bn, weights, false));
            } else if (op instanceof Op.Relu) {
                Node producer = graph.node(n.inputs().get(0));
                if (fused[producer.id()]) {
                    PlanValue bnIn = valueOf[producer.inputs().get(0)];
                    steps.add(batchNorm(producer.name() + "+" + n.name(), bnIn, v, (Op.BatchNorm) producer.op(), weights, true));
                } else {
                    steps.add(new PlanStep.Relu(n.name(), x, v));
                }
            } else if (op instanceof Op.MaxPool p) {
                argmaxSizes.add((long) v.size());
                steps.add(new PlanStep.MaxPool(n.name(), x, v, p.kernel(), p.stride(), p.padding(), argmaxSizes.size() - 1));
            } else if (op instanceof Op.AvgPool p) {
                steps.add(new PlanStep.AvgPool(n.name(), x, v, p.kernel(), p.stride(), p.padding()));
            } else if (op instanceof Op.GlobalAvgPool) {
                steps.add(new PlanStep.GlobalAvgPool(n.name(), x, v));
            } else if (op instanceof Op.Linear l) {
                int w = parameter(weights.get(l.weight(), Shape.of(l.outFeatures(), l.inFeatures())));
                int b = l.bias() == null ? -1 : parameter(weights.get(l.bias(), Shape.of(l.outFeatures())));
                steps.add(new PlanStep.Linear(n.name(), x, v, w, b));
            } else if (op instanceof Op.Concat) {
                PlanValue[] parts = n.inputs().stream().map(i -> valueOf[i]).toArray(PlanValue[]::new);
                if (!placeWithoutCopy(parts, v)) {
                    steps.add(new PlanStep.ConcatCopy(n.name(), parts, v));
                }
            } else {
                throw new IllegalArgumentException("no backend runs op " + op.kind() + " (node " + n.name() + ")");
            }
        }
        this.input = in;
        this.output = valueOf[graph.output().id()];
        for (Node n : nodes) {
            if (observedNodes.contains(n.name())) {
                valueOf[n.id()].kept = true;
                observed.put(n.name(), valueOf[n.id()]);
            }
        }
        assignBuffers();
    }

    private int parameter(Tensor t) {
        return parameter(t.data().clone());
    }

    private int parameter(float[] data) {
        parameters.add(data);
        return parameters.size() - 1;
    }

    /** Folds γ, β, mean and var into a·x + b, in double and rounded once, as the CPU backend does. */
    private PlanStep.BatchNormRelu batchNorm(String name, PlanValue in, PlanValue out, Op.BatchNorm bn, Weights weights, boolean relu) {
        Shape c = Shape.of(bn.channels());
        float[] gamma = weights.get(bn.prefix() + ".weight", c).data();
        float[] beta = weights.get(bn.prefix() + ".bias", c).data();
        float[] mean = weights.get(bn.prefix() + ".running_mean", c).data();
        float[] var = weights.get(bn.prefix() + ".running_var", c).data();
        float[] scale = new float[bn.channels()];
        float[] shift = new float[bn.channels()];
        for (int i = 0; i < scale.length; i++) {
            double a = gamma[i] / Math.sqrt((double) var[i] + bn.eps());
            scale[i] = (float) a;
            shift[i] = (float) (beta[i] - mean[i] * a);
        }
        return new PlanStep.BatchNormRelu(name, in, out, parameter(scale), parameter(shift), relu);
    }

    /** Places a concat's inputs as consecutive slices of one block buffer; false if they cannot be. */
    private boolean placeWithoutCopy(PlanValue[] parts, PlanValue out) {
        PlanValue first = parts[0];
        int group = first.group;
        int base = group >= 0 ? first.channelOffset : 0;
        Set<PlanValue> seen = new HashSet<>();
        int offset = base;
        for (PlanValue p : parts) {
            boolean placeable = p.group >= 0 ? p.group == group && p.channelOffset == offset
                    : p.plane() == out.plane() && !claimed(group, offset, p.channels());
            if (!placeable || !seen.add(p) || p.plane() != out.plane()) {
                return false;
            }
            offset += p.channels();
        }
        if (group < 0) {
            groupChannels.add(0);
            groupRanges.add(new ArrayList<>());
            group = groupChannels.size() - 1;
        }
        offset = base;
        for (PlanValue p : parts) {
            if (p.group < 0) {
                p.group = group;
                p.channelOffset = offset;
                groupRanges.get(group).add(new int[] {offset, p.channels()});
            }
            offset += p.channels();
        }
        out.group = group;
        out.channelOffset = base;
        groupChannels.set(group, Math.max(groupChannels.get(group), offset));
        return true;
    }

    /** True if a value already written into the group owns a channel in [offset, offset + channels). */
    private boolean claimed(int group, int offset, int channels) {
        if (group < 0) {
            return false;
        }
        for (int[] r : groupRanges.get(group)) {
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
        Arrays.fill(producer, -1);
        Arrays.fill(lastUse, -1);
        for (int s = 0; s < stepCount; s++) {
            PlanStep step = steps.get(s);
            producer[step.output().id()] = s;
            for (PlanValue v : step.inputs()) {
                lastUse[v.id()] = s;
            }
            PlanValue[] inputs = step.inputs();
            for (int i = 0; i < inputs.length; i++) {
                if (step.keepsInput(i)) {
                    inputs[i].kept = true;
                }
            }
            zeroBeforeBackward.add(new ArrayList<>());
        }
        // A concat view has no step of its own: its readers read the block buffer.
        for (int g = 0; g < groupChannels.size(); g++) {
            long channels = groupChannels.get(g);
            int plane = -1;
            for (PlanValue v : values) {
                if (v.group == g) {
                    plane = v.plane();
                }
            }
            dataSizes.add(channels * plane);
            gradSizes.add(channels * plane);
            groupGradBuffers.add(gradSizes.size() - 1);
            for (PlanValue v : values) {
                if (v.group == g) {
                    v.dataBuffer = dataSizes.size() - 1;
                    v.gradBuffer = gradSizes.size() - 1;
                    v.imageStride = channels * plane;
                }
            }
        }
        LivenessSlots data = new LivenessSlots();
        LivenessSlots grad = new LivenessSlots();
        List<PlanValue> temps = new ArrayList<>();
        List<int[]> requestOf = new ArrayList<>();
        for (PlanValue v : values) {
            if (v.group >= 0) {
                continue;
            }
            v.imageStride = v.size();
            int p = producer[v.id()];
            int last = Math.max(lastUse[v.id()], p);
            boolean persistent = v.kept || v == output;
            int d = data.request(persistent ? 0 : p, persistent ? stepCount : last, v.size());
            // The backward pass runs the steps in reverse: a gradient is first written by the value's
            // last reader and last read by its producer. Reverse time r = stepCount - 1 - s.
            int firstWriter = v == output ? stepCount - 1 : last;
            int lastRead = observed.containsValue(v) ? 0 : p;
            int g = grad.request(stepCount - 1 - firstWriter, stepCount - 1 - lastRead, v.size());
            if (v != output) {
                zeroBeforeBackward.get(firstWriter).add(v);
            }
            temps.add(v);
            requestOf.add(new int[] {d, g});
        }
        int[] dataBuffers = data.assign(dataSizes);
        int[] gradBuffers = grad.assign(gradSizes);
        for (int i = 0; i < temps.size(); i++) {
            temps.get(i).dataBuffer = dataBuffers[requestOf.get(i)[0]];
            temps.get(i).gradBuffer = gradBuffers[requestOf.get(i)[1]];
        }
    }

    /** The planned graph. */
    public Graph graph() {
        return graph;
    }

    /** The steps in forward order. */
    public List<PlanStep> steps() {
        return java.util.Collections.unmodifiableList(steps);
    }

    /** Every value, indexed by {@link PlanValue#id()}. */
    public List<PlanValue> values() {
        return java.util.Collections.unmodifiableList(values);
    }

    /** The input step. */
    public PlanStep.Input input() {
        return input;
    }

    /** The graph output's value. */
    public PlanValue output() {
        return output;
    }

    /** Parameter {@code index} of a step (a weight, a bias, a folded batch-norm scale or shift): shared, read only. */
    public float[] parameter(int index) {
        return parameters.get(index);
    }

    /** How many parameters the steps refer to. */
    public int parameterCount() {
        return parameters.size();
    }

    /** Floats per image of each forward buffer. */
    public List<Long> dataSizes() {
        return java.util.Collections.unmodifiableList(dataSizes);
    }

    /** Floats per image of each gradient buffer. */
    public List<Long> gradSizes() {
        return java.util.Collections.unmodifiableList(gradSizes);
    }

    /** Ints per image of each max-pooling argmax buffer. */
    public List<Long> argmaxSizes() {
        return java.util.Collections.unmodifiableList(argmaxSizes);
    }

    /** The gradient buffers of blocks: zeroed at the start of every backward pass. */
    public List<Integer> blockGradBuffers() {
        return java.util.Collections.unmodifiableList(groupGradBuffers);
    }

    /** The gradients to zero just before step {@code step}'s backward (it is their first writer). */
    public List<PlanValue> zeroBeforeBackward(int step) {
        return java.util.Collections.unmodifiableList(zeroBeforeBackward.get(step));
    }

    /** Observed node name to its value (kept, with a gradient that survives the backward pass). */
    public Map<String, PlanValue> observed() {
        return java.util.Collections.unmodifiableMap(observed);
    }

    /** Floats per image of all forward buffers. */
    public long dataFloatsPerImage() {
        return dataSizes.stream().mapToLong(Long::longValue).sum();
    }

    /** Floats per image of all gradient buffers. */
    public long gradFloatsPerImage() {
        return gradSizes.stream().mapToLong(Long::longValue).sum();
    }

    /** Ints per image of all argmax buffers. */
    public long argmaxIntsPerImage() {
        return argmaxSizes.stream().mapToLong(Long::longValue).sum();
    }
}
