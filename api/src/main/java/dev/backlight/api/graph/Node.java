package dev.backlight.api.graph;

import dev.backlight.api.Shape;
import java.util.List;

/**
 * One node of a {@link Graph}: an op applied to the outputs of earlier nodes.
 *
 * @param id position in the graph's topological order (0 is the input)
 * @param name a unique, human-readable name (torchvision module path where there is one)
 * @param op the operation
 * @param inputs ids of the nodes whose outputs this node reads, in order
 * @param shape the per-image output shape ({@code [C, H, W]} or {@code [C]})
 */
public record Node(int id, String name, Op op, List<Integer> inputs, Shape shape) {
    public Node {
        inputs = List.copyOf(inputs);
    }
}
