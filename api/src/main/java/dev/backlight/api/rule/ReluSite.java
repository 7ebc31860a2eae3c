package dev.backlight.api.rule;

import dev.backlight.api.Shape;
import java.util.Objects;

/**
 * Where a {@link ReluRule} is applied: one ReLU node of the graph, for one backward pass over a
 * batch. Rules that depend on the layer (a per-layer threshold, a rule for the first layers only)
 * read it; most ignore it.
 *
 * @param node the ReLU's node name in the graph, such as {@code features.denseblock1.denselayer1.relu1}
 * @param index the ReLU's position among the graph's ReLUs in forward order, from 0
 * @param batch the number of images in the pass
 * @param shape the shape of one image's ReLU input, such as {@code [64, 56, 56]}
 */
public record ReluSite(String node, int index, int batch, Shape shape) {
    public ReluSite {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(shape, "shape");
        if (index < 0 || batch < 1) {
            throw new IllegalArgumentException("a ReLU site needs index >= 0 and batch >= 1, got " + index + " and " + batch);
        }
    }

    /** The number of elements the rule is applied to: {@code batch × shape.size()}. */
    public int elements() {
        return Math.multiplyExact(batch, shape.size());
    }
}
