package dev.backlight.cuda;

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
 * A graph planned for the device: fused steps, where every value lives, and the size of every
 * buffer per image. The same plan as the CPU backend's, so the two run the same arithmetic:
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
 * <p>Immutable after construction; one plan serves every batch size.
 */
final class DevicePlan {
    final Graph graph;
    final List<DeviceStep> steps = new ArrayList<>();
    final List<DeviceValue> values = new ArrayList<>();
    final DeviceStep.Input input;
    final DeviceValue output;
    /** Host parameters (weights, folded batch-norm scales and shifts), uploaded once per model. */
    final List<float[]> parameters = new ArrayList<>();
    /** Floats per image of each forward buffer, of each gradient buffer; ints per image of each argmax buffer. */
    final List<Long> dataSizes = new ArrayList<>();
    final List<Long> gradSizes = new ArrayList<>();
    final List<Long> argmaxSizes = new ArrayList<>();
    /** Gradient buffers of blocks, zeroed at the start of every backward pass. */
    final List<Integer> groupGradBuffers = new ArrayList<>();
    /** For each step s, the gradients to zero just before step s's backward (s is their first writer). */
    final List<List<DeviceValue>> zeroBeforeBackward = new ArrayList<>();
    /** Observed node name to its value. */
    final Map<String, DeviceValue> observed = new HashMap<>();

    private final List<Integer> groupChannels = new ArrayList<>();
    /** Per block, the channel ranges {offset, channels} of the values written into it (not the concat views). */
    private final List<List<int[]>> groupRanges = new ArrayList<>();

    DevicePlan(Graph graph, Weights weights, Set<String> observedNodes) {
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
        DeviceValue[] valueOf = new DeviceValue[nodes.size()];
        DeviceStep.Input in = null;
        for (Node n : nodes) {
            if (fused[n.id()]) {
                continue;
            }
            Shape s = n.shape();
            DeviceValue v = s.rank() == 3 ? new DeviceValue(values.size(), n.name(), s.dim(0), s.dim(1), s.dim(2))
                    : new DeviceValue(values.size(), n.name(), s.dim(0), 1, 1);
            values.add(v);
            valueOf[n.id()] = v;
            DeviceValue x = n.inputs().isEmpty() ? null : valueOf[n.inputs().get(0)];
            Op op = n.op();
            if (op instanceof Op.Input) {
                in = new DeviceStep.Input(n.name(), v);
                steps.add(in);
            } else if (op instanceof Op.Conv2d c) {
                int w = parameter(weights.get(c.weight(), Shape.of(c.outChannels(), c.inChannels(), c.kernelH(), c.kernelW())));
                int b = c.bias() == null ? -1 : parameter(weights.get(c.bias(), Shape.of(c.outChannels())));
                Device.Conv geometry = new Device.Conv(c.inChannels(), c.outChannels(), c.kernelH(), c.kernelW(), c.stride(), c.padding());
                steps.add(new DeviceStep.Conv(n.name(), x, v, geometry, w, b));
            } else if (op instanceof Op.BatchNorm bn) {
                steps.add(batchNorm(n.name(), x, v, bn, weights, false));
            } else if (op instanceof Op.Relu) {
                Node producer = graph.node(n.inputs().get(0));
                if (fused[producer.id()]) {
                    DeviceValue bnIn = valueOf[producer.inputs().get(0)];
                    steps.add(batchNorm(producer.name() + "+" + n.name(), bnIn, v, (Op.BatchNorm) producer.op(), weights, true));
                } else {
                    float[] ones = new float[v.channels];
                    Arrays.fill(ones, 1f);
                    steps.add(new DeviceStep.BatchNormRelu(n.name(), x, v, parameter(ones), parameter(new float[v.channels]), true));
                }
            } else if (op instanceof Op.MaxPool p) {
                argmaxSizes.add((long) v.size());
                steps.add(new DeviceStep.MaxPool(n.name(), x, v, new Device.Pool(p.kernel(), p.stride(), p.padding()), argmaxSizes.size() - 1));
            } else if (op instanceof Op.AvgPool p) {
                steps.add(new DeviceStep.AvgPool(n.name(), x, v, new Device.Pool(p.kernel(), p.stride(), p.padding())));
            } else if (op instanceof Op.GlobalAvgPool) {
                steps.add(new DeviceStep.GlobalAvgPool(n.name(), x, v));
            } else if (op instanceof Op.Linear l) {
                int w = parameter(weights.get(l.weight(), Shape.of(l.outFeatures(), l.inFeatures())));
                int b = l.bias() == null ? -1 : parameter(weights.get(l.bias(), Shape.of(l.outFeatures())));
                steps.add(new DeviceStep.Linear(n.name(), x, v, w, b));
            } else if (op instanceof Op.Concat) {
                DeviceValue[] parts = n.inputs().stream().map(i -> valueOf[i]).toArray(DeviceValue[]::new);
                if (!placeWithoutCopy(parts, v)) {
                    steps.add(new DeviceStep.ConcatCopy(n.name(), parts, v));
                }
            } else {
                throw new IllegalArgumentException("the CUDA backend cannot run op " + op.kind() + " (node " + n.name() + ")");
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
    private DeviceStep.BatchNormRelu batchNorm(String name, DeviceValue in, DeviceValue out, Op.BatchNorm bn, Weights weights, boolean relu) {
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
        return new DeviceStep.BatchNormRelu(name, in, out, parameter(scale), parameter(shift), relu);
    }

    /** Places a concat's inputs as consecutive slices of one block buffer; false if they cannot be. */
    private boolean placeWithoutCopy(DeviceValue[] parts, DeviceValue out) {
        DeviceValue first = parts[0];
        int group = first.group;
        int base = group >= 0 ? first.channelOffset : 0;
        Set<DeviceValue> seen = new HashSet<>();
        int offset = base;
        for (DeviceValue p : parts) {
            boolean placeable = p.group >= 0 ? p.group == group && p.channelOffset == offset
                    : p.plane() == out.plane() && !claimed(group, offset, p.channels);
            if (!placeable || !seen.add(p) || p.plane() != out.plane()) {
                return false;
            }
            offset += p.channels;
        }
        if (group < 0) {
            groupChannels.add(0);
            groupRanges.add(new ArrayList<>());
            group = groupChannels.size() - 1;
        }
        offset = base;
        for (DeviceValue p : parts) {
            if (p.group < 0) {
                p.group = group;
                p.channelOffset = offset;
                groupRanges.get(group).add(new int[] {offset, p.channels});
            }
            offset += p.channels;
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
            DeviceStep step = steps.get(s);
            producer[step.output().id] = s;
            for (DeviceValue v : step.inputs()) {
                lastUse[v.id] = s;
            }
            if (step instanceof DeviceStep.BatchNormRelu b) {
                b.input().kept = true; // the backward recomputes the ReLU input from it
            }
            zeroBeforeBackward.add(new ArrayList<>());
        }
        // A concat view has no step of its own: its readers read the block buffer.
        for (int g = 0; g < groupChannels.size(); g++) {
            long channels = groupChannels.get(g);
            int plane = -1;
            for (DeviceValue v : values) {
                if (v.group == g) {
                    plane = v.plane();
                }
            }
            dataSizes.add(channels * plane);
            gradSizes.add(channels * plane);
            groupGradBuffers.add(gradSizes.size() - 1);
            for (DeviceValue v : values) {
                if (v.group == g) {
                    v.dataBuffer = dataSizes.size() - 1;
                    v.gradBuffer = gradSizes.size() - 1;
                    v.imageStride = channels * plane;
                }
            }
        }
        LivenessSlots data = new LivenessSlots();
        LivenessSlots grad = new LivenessSlots();
        List<DeviceValue> temps = new ArrayList<>();
        List<int[]> requestOf = new ArrayList<>();
        for (DeviceValue v : values) {
            if (v.group >= 0) {
                continue;
            }
            v.imageStride = v.size();
            int p = producer[v.id];
            int last = Math.max(lastUse[v.id], p);
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

    /** Floats per image of all forward buffers. */
    long dataFloatsPerImage() {
        return dataSizes.stream().mapToLong(Long::longValue).sum();
    }

    /** Floats per image of all gradient buffers. */
    long gradFloatsPerImage() {
        return gradSizes.stream().mapToLong(Long::longValue).sum();
    }

    /** Ints per image of all argmax buffers. */
    long argmaxIntsPerImage() {
        return argmaxSizes.stream().mapToLong(Long::longValue).sum();
    }
}
