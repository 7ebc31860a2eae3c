package dev.backlight.api.graph;

import dev.backlight.api.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An immutable computation graph in topological order, with one input (node 0) and one output
 * (the last node). Built with {@link GraphBuilder}, which infers and checks every shape.
 *
 * <p>A graph knows nothing of backends or weights values; it names the parameters it needs.
 * Graphs are immutable and thread-safe.
 */
public final class Graph {
    private final String name;
    private final List<Node> nodes;
    private final List<Parameter> parameters;
    private final List<List<Integer>> consumers;

    Graph(String name, List<Node> nodes, List<Parameter> parameters) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
        this.parameters = List.copyOf(parameters);
        List<List<Integer>> users = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            users.add(new ArrayList<>());
        }
        for (Node n : nodes) {
            for (int in : n.inputs()) {
                users.get(in).add(n.id());
            }
        }
        List<List<Integer>> frozen = new ArrayList<>();
        for (List<Integer> u : users) {
            frozen.add(Collections.unmodifiableList(u));
        }
        this.consumers = Collections.unmodifiableList(frozen);
    }

    /** A descriptive name, such as {@code densenet201}. */
    public String name() {
        return name;
    }

    /** All nodes in topological order; {@code nodes().get(i).id() == i}. */
    public List<Node> nodes() {
        return nodes;
    }

    /** The node with this id. */
    public Node node(int id) {
        return nodes.get(id);
    }

    /** The input node (always id 0). */
    public Node input() {
        return nodes.get(0);
    }

    /** The output node (the last one). */
    public Node output() {
        return nodes.get(nodes.size() - 1);
    }

    /** Per-image input shape {@code [C, H, W]}. */
    public Shape inputShape() {
        return input().shape();
    }

    /** Per-image output shape. */
    public Shape outputShape() {
        return output().shape();
    }

    /** Ids of the nodes that read node {@code id}'s output, in topological order. */
    public List<Integer> consumers(int id) {
        return consumers.get(id);
    }

    /** The weight tensors this graph needs, in the order the nodes use them. */
    public List<Parameter> parameters() {
        return parameters;
    }

    /** Number of nodes whose op is of the given type. */
    public long count(Class<? extends Op> opType) {
        return nodes.stream().filter(n -> opType.isInstance(n.op())).count();
    }

    @Override
    public String toString() {
        return "Graph[" + name + ", " + nodes.size() + " nodes, input " + inputShape() + ", output " + outputShape() + "]";
    }
}
