package dev.backlight.api.internal;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.ReluRule;
import java.util.Map;
import java.util.Objects;

/**
 * The argument and state checks of the {@link dev.backlight.api.backend.CompiledModel} contract,
 * shared by every backend's model so that they fail alike and with the same messages.
 */
public final class ModelChecks {
    private ModelChecks() {
    }

    /**
     * Checks a forward pass's input against the graph.
     *
     * @return the batch size N
     * @throws IllegalArgumentException if it is not {@code [N, ...graph input shape]} with N ≥ 1
     */
    public static int requireInput(Graph graph, Tensor input) {
        Objects.requireNonNull(input, "input");
        Shape s = input.shape();
        Shape expected = graph.inputShape();
        if (s.rank() != expected.rank() + 1 || s.dim(0) < 1 || !s.withBatch(1).equals(batched(1, expected))) {
            throw new IllegalArgumentException("input of shape " + s + " does not fit graph " + graph.name()
                    + ", which takes [N, " + expected.toString().substring(1) + " with N >= 1");
        }
        return s.dim(0);
    }

    /**
     * Checks a backward pass's arguments against the last forward pass.
     *
     * @param batch the last forward pass's batch size (ignored when none ran)
     * @throws IllegalStateException if no forward pass has run
     * @throws IllegalArgumentException if the seed's shape is not the last forward's output shape
     */
    public static void requireSeed(Graph graph, boolean forwardDone, int batch, Tensor seed, ReluRule rule) {
        Objects.requireNonNull(seed, "seed");
        Objects.requireNonNull(rule, "rule");
        if (!forwardDone) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        Shape out = batched(batch, graph.outputShape());
        if (!seed.shape().equals(out)) {
            throw new IllegalArgumentException("seed has shape " + seed.shape() + " but the last forward's output is " + out);
        }
    }

    /**
     * What a backend keeps for an observed node.
     *
     * @throws IllegalArgumentException if the node was not observed at compile time
     */
    public static <V> V requireObserved(Map<String, V> observed, String node) {
        V v = observed.get(node);
        if (v == null) {
            throw new IllegalArgumentException("node '" + node + "' was not observed; compile with CompileOptions.observing(\""
                    + node + "\")");
        }
        return v;
    }

    /**
     * Checks that a pass has run before its results are read.
     *
     * @throws IllegalStateException if it has not
     */
    public static void requireRun(boolean done, boolean backward) {
        if (!done) {
            throw new IllegalStateException(backward ? "no backward pass has run since the last forward" : "no forward pass has run");
        }
    }

    /** The shape of {@code node}'s output for one image. */
    public static Shape nodeShape(Graph graph, String node) {
        return graph.nodes().stream().filter(n -> n.name().equals(node)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("graph " + graph.name() + " has no node '" + node + "'"))
                .shape();
    }

    /** {@code [n, ...perImage]}. */
    public static Shape batched(int n, Shape perImage) {
        int[] dims = new int[perImage.rank() + 1];
        dims[0] = n;
        System.arraycopy(perImage.dims(), 0, dims, 1, perImage.rank());
        return Shape.of(dims);
    }
}
