package dev.backlight.api.backend;

import dev.backlight.api.Tensor;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.rule.ReluRule;

/**
 * A graph with its weights, ready to run on one backend.
 *
 * <p>Use: one {@link #forward} on a batch, then any number of {@link #backward} passes against
 * that forward (for example one per target class: top-k for the price of one forward). A new
 * forward replaces the state kept from the previous one.
 *
 * <p>Not thread-safe: use one instance from one thread at a time (compile one per thread for
 * parallel work, or share a {@link ModelPool}; compiled models of one backend share its workers).
 * A backend should detect a call that overlaps another call on the same model ({@link #forward},
 * {@link #backward}, {@link #activation}, {@link #gradient} from two threads at once, or from a
 * rule re-entering the model) and throw {@link IllegalStateException} instead of computing from
 * state the other call is changing; the CPU backend does. The check is per call: a forward and the
 * backward passes that use it are a sequence that another thread's forward, between two calls,
 * would silently redirect, so keep each sequence to one thread at a time (a {@link ModelPool}
 * does). Owned by the caller and by the backend that made it; {@link #close()} is idempotent, and
 * use after close throws {@link IllegalStateException}.
 */
public interface CompiledModel extends AutoCloseable {

    /** The graph this model runs. */
    Graph graph();

    /** The name of the backend running it. */
    String backendName();

    /**
     * Runs the forward pass and keeps what the backward pass needs (masks, pooling indices,
     * dense-block buffers; never every activation).
     *
     * @param input {@code [N, C, H, W]} with {@code [C, H, W]} equal to the graph's input shape and N ≥ 1
     * @return the graph output, {@code [N, ...output shape]} (the logits for a classifier); owned by the caller
     * @throws IllegalArgumentException if the input shape does not fit the graph
     */
    Tensor forward(Tensor input);

    /**
     * Runs the backward-data pass of the last forward: the gradient of {@code sum(seed · output)}
     * with respect to the input, where every ReLU's backward is given by {@code rule} and every
     * other op's backward is its exact input gradient.
     *
     * @param seed same shape as the last forward's output (e.g. one-hot rows selecting each
     *     image's target logit)
     * @param rule the ReLU backward rule
     * @return {@code [N, C, H, W]}, owned by the caller
     * @throws IllegalStateException if no forward has run
     * @throws IllegalArgumentException if the seed's shape differs from the output's
     * @throws dev.backlight.api.BackendUnavailableException if this backend cannot run the rule
     */
    Tensor backward(Tensor seed, ReluRule rule);

    /**
     * The forward output of an observed node in the last forward pass, {@code [N, ...node shape]}.
     *
     * @throws IllegalArgumentException if the node was not observed (see {@link CompileOptions})
     * @throws IllegalStateException if no forward has run
     */
    Tensor activation(String node);

    /**
     * The gradient at an observed node's output in the last backward pass (under that pass's
     * rule), {@code [N, ...node shape]}.
     *
     * @throws IllegalArgumentException if the node was not observed (see {@link CompileOptions})
     * @throws IllegalStateException if no backward has run since the last forward
     */
    Tensor gradient(String node);

    /**
     * Frees what this model holds; idempotent. A call in flight on another thread finishes and
     * frees the rest on its way out; later calls throw {@link IllegalStateException}.
     */
    @Override
    void close();
}
