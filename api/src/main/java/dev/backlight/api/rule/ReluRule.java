package dev.backlight.api.rule;

/**
 * The backward pass of a ReLU: given the forward input {@code x} of a ReLU layer and the incoming
 * gradient {@code dy} of its output, the gradient {@code dx} passed to its input.
 *
 * <p>This is where the gradient attribution methods differ (see {@link BuiltinRule}). A research
 * extension defines its own rule by implementing this interface and publishing it through a
 * {@link ReluRuleProvider}; to make it selectable as a method, publish an
 * {@link dev.backlight.api.method.AttributionMethodProvider} too (for instance with a
 * {@link dev.backlight.api.method.ReluRuleMethod}).
 *
 * <p>A rule is applied to a whole layer at once: one call per ReLU node per backward pass, with the
 * {@link ReluSite} saying which node. Element-wise rules can be written with {@link #pointwise}.
 * Implementations must be thread-safe and must not keep the arrays: backends may call a rule from
 * several threads for different models, and reuse the arrays after the call. Backends recognise the
 * {@link BuiltinRule}s and run them with their own fused kernels; custom rules may need the CPU
 * backend (see {@link dev.backlight.api.backend.BackendProvider#supports}).
 */
public interface ReluRule {

    /** A unique, lower-case identifier, such as {@code guided}; how users name the rule. */
    String id();

    /**
     * The backward pass of one ReLU layer for a batch: for every {@code i} in
     * {@code [0, site.elements())}, writes into {@code dx[i]} the gradient passed to the ReLU's input,
     * from its forward input {@code x[i]} and the gradient {@code dy[i]} at its output. The arrays are
     * laid out {@code [N, C, H, W]}, row-major, and may be longer than {@code site.elements()}; the
     * rule must not read or write past that length. {@code dx}'s prior contents are undefined.
     *
     * @param site which ReLU, for how many images, of which shape
     * @param x the ReLU's forward input
     * @param dy the gradient arriving at the ReLU's output
     * @param dx where the gradient passed to the ReLU's input is written
     */
    void backward(ReluSite site, float[] x, float[] dy, float[] dx);

    /**
     * A rule that applies one function to each element, whatever the layer.
     *
     * @param id the rule's identifier (lower case)
     * @param function {@code dx = function(x, dy)}
     */
    static ReluRule pointwise(String id, PointwiseRelu function) {
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(function, "function");
        return new ReluRule() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public void backward(ReluSite site, float[] x, float[] dy, float[] dx) {
                int n = site.elements();
                for (int i = 0; i < n; i++) {
                    dx[i] = function.backward(x[i], dy[i]);
                }
            }

            @Override
            public String toString() {
                return "ReluRule[" + id + "]";
            }
        };
    }

    /** An element-wise ReLU backward function, for {@link ReluRule#pointwise}. */
    @FunctionalInterface
    interface PointwiseRelu {
        /**
         * The gradient passed to one element of the ReLU's input.
         *
         * @param x the element's forward input
         * @param dy the gradient arriving at the element's output
         * @return dx
         */
        float backward(float x, float dy);
    }
}
