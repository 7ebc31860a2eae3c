package dev.backlight.api.graph;

import dev.backlight.api.Shape;
import dev.backlight.api.graph.Parameter.Role;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a {@link Graph} node by node, inferring each output shape and rejecting ops that do not
 * fit their inputs with an {@link IllegalArgumentException} that names the node and the shapes.
 *
 * <p>Each method returns the id of the node it added. Not thread-safe; build, then share the graph.
 */
public final class GraphBuilder {
    private final String graphName;
    private final List<Node> nodes = new ArrayList<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Set<String> parameterNames = new HashSet<>();

    /** Starts a graph whose input is a batch of {@code [channels, height, width]} images. */
    public GraphBuilder(String graphName, int channels, int height, int width) {
        this.graphName = graphName;
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("input shape must be positive, got [" + channels + ", " + height + ", " + width + "]");
        }
        add("input", new Op.Input(channels, height, width), List.of(), Shape.of(channels, height, width));
    }

    /** Adds a convolution; see {@link Op.Conv2d}. Weight name is {@code prefix.weight}. */
    public int conv2d(String prefix, int input, int outChannels, int kernel, int stride, int padding, boolean bias) {
        Shape in = spatial(input, "conv2d " + prefix);
        int inChannels = in.dim(0);
        if (kernel <= 0 || stride <= 0 || padding < 0 || outChannels <= 0) {
            throw new IllegalArgumentException("conv2d " + prefix + ": kernel, stride and out channels must be positive, padding non-negative");
        }
        int h = outSize(in.dim(1), kernel, stride, padding, "conv2d " + prefix);
        int w = outSize(in.dim(2), kernel, stride, padding, "conv2d " + prefix);
        String weight = prefix + ".weight";
        String biasName = bias ? prefix + ".bias" : null;
        param(weight, Shape.of(outChannels, inChannels, kernel, kernel), Role.CONV_WEIGHT);
        if (bias) {
            param(biasName, Shape.of(outChannels), Role.CONV_BIAS);
        }
        return add(prefix, new Op.Conv2d(weight, biasName, outChannels, inChannels, kernel, kernel, stride, padding),
                List.of(input), Shape.of(outChannels, h, w));
    }

    /** Adds eval-mode batch normalisation over the channels of {@code input}. */
    public int batchNorm(String prefix, int input, float eps) {
        Shape in = shape(input);
        int c = in.dim(0);
        param(prefix + ".weight", Shape.of(c), Role.BN_WEIGHT);
        param(prefix + ".bias", Shape.of(c), Role.BN_BIAS);
        param(prefix + ".running_mean", Shape.of(c), Role.BN_RUNNING_MEAN);
        param(prefix + ".running_var", Shape.of(c), Role.BN_RUNNING_VAR);
        return add(prefix, new Op.BatchNorm(prefix, c, eps), List.of(input), in);
    }

    /** Adds a ReLU. */
    public int relu(String name, int input) {
        return add(name, new Op.Relu(), List.of(input), shape(input));
    }

    /** Adds max pooling. */
    public int maxPool(String name, int input, int kernel, int stride, int padding) {
        Shape in = spatial(input, "maxpool " + name);
        if (padding * 2 > kernel) {
            throw new IllegalArgumentException("maxpool " + name + ": padding " + padding + " exceeds half the kernel " + kernel);
        }
        return add(name, new Op.MaxPool(kernel, stride, padding), List.of(input),
                Shape.of(in.dim(0), outSize(in.dim(1), kernel, stride, padding, name), outSize(in.dim(2), kernel, stride, padding, name)));
    }

    /** Adds average pooling (padding counted in the divisor). */
    public int avgPool(String name, int input, int kernel, int stride, int padding) {
        Shape in = spatial(input, "avgpool " + name);
        return add(name, new Op.AvgPool(kernel, stride, padding), List.of(input),
                Shape.of(in.dim(0), outSize(in.dim(1), kernel, stride, padding, name), outSize(in.dim(2), kernel, stride, padding, name)));
    }

    /** Adds a global average pool {@code [C, H, W] -> [C]}. */
    public int globalAvgPool(String name, int input) {
        Shape in = spatial(input, "globalavgpool " + name);
        return add(name, new Op.GlobalAvgPool(), List.of(input), Shape.of(in.dim(0)));
    }

    /** Adds a channel concatenation of feature maps with equal height and width. */
    public int concat(String name, List<Integer> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("concat " + name + " needs at least one input");
        }
        Shape first = spatial(inputs.get(0), "concat " + name);
        int channels = 0;
        for (int in : inputs) {
            Shape s = spatial(in, "concat " + name);
            if (s.dim(1) != first.dim(1) || s.dim(2) != first.dim(2)) {
                throw new IllegalArgumentException("concat " + name + ": input " + nodes.get(in).name() + " is " + s
                        + " but " + nodes.get(inputs.get(0)).name() + " is " + first);
            }
            channels += s.dim(0);
        }
        return add(name, new Op.Concat(), inputs, Shape.of(channels, first.dim(1), first.dim(2)));
    }

    /** Adds a fully connected layer on a vector input. */
    public int linear(String prefix, int input, int outFeatures, boolean bias) {
        Shape in = shape(input);
        if (in.rank() != 1) {
            throw new IllegalArgumentException("linear " + prefix + " needs a vector input, got " + in + " (add a global average pool first)");
        }
        String weight = prefix + ".weight";
        String biasName = bias ? prefix + ".bias" : null;
        param(weight, Shape.of(outFeatures, in.dim(0)), Role.LINEAR_WEIGHT);
        if (bias) {
            param(biasName, Shape.of(outFeatures), Role.LINEAR_BIAS);
        }
        return add(prefix, new Op.Linear(weight, biasName, in.dim(0), outFeatures), List.of(input), Shape.of(outFeatures));
    }

    /** The per-image output shape of node {@code id}. */
    public Shape shape(int id) {
        if (id < 0 || id >= nodes.size()) {
            throw new IllegalArgumentException("no node " + id + " (graph has " + nodes.size() + ")");
        }
        return nodes.get(id).shape();
    }

    /** Finishes the graph; its output is the last node added. */
    public Graph build() {
        return new Graph(graphName, nodes, parameters);
    }

    private int add(String name, Op op, List<Integer> inputs, Shape shape) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate node name " + name);
        }
        int id = nodes.size();
        nodes.add(new Node(id, name, op, inputs, shape));
        return id;
    }

    private void param(String name, Shape shape, Role role) {
        if (!parameterNames.add(name)) {
            throw new IllegalArgumentException("parameter " + name + " is used twice");
        }
        parameters.add(new Parameter(name, shape, role));
    }

    private Shape spatial(int id, String what) {
        Shape s = shape(id);
        if (s.rank() != 3) {
            throw new IllegalArgumentException(what + " needs a [C, H, W] feature map, got " + s);
        }
        return s;
    }

    private static int outSize(int in, int kernel, int stride, int padding, String what) {
        int out = (in + 2 * padding - kernel) / stride + 1;
        if (in + 2 * padding < kernel || out <= 0) {
            throw new IllegalArgumentException(what + ": input size " + in + " is too small for kernel " + kernel
                    + " with padding " + padding);
        }
        return out;
    }
}
