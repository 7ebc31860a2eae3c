package dev.backlight.api.backend;

import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;

/**
 * An execution engine (CPU threads, a GPU, ...). It owns its resources (thread pools, device
 * context) and the models it compiled: closing it closes them. Thread-safe: several models may be
 * compiled and used concurrently, each from one thread at a time.
 */
public interface Backend extends AutoCloseable {

    /** The provider's name. */
    String name();

    /**
     * Prepares a graph with its weights for execution. The weights are validated against
     * {@link Graph#parameters()} with {@link dev.backlight.api.WeightsCheck#requireUsable} and
     * copied into the backend's own layout.
     *
     * @throws dev.backlight.api.WeightsFormatException if a tensor is missing or mis-shaped, holds a
     *     NaN or an infinity, or is a negative batch-norm running variance
     * @throws IllegalArgumentException if an observed node does not exist
     */
    CompiledModel compile(Graph graph, Weights weights, CompileOptions options);

    /** Compiles with {@link CompileOptions#defaults()}. */
    default CompiledModel compile(Graph graph, Weights weights) {
        return compile(graph, weights, CompileOptions.defaults());
    }

    /** Releases everything this backend holds; idempotent. */
    @Override
    void close();
}
