package dev.backlight.api.rule;

/**
 * The backward pass of a ReLU: given the forward input {@code x} of the ReLU and the incoming
 * gradient {@code dy} of its output, the gradient {@code dx} passed to its input.
 *
 * <p>This is where the gradient attribution methods differ (see {@link BuiltinRule}). A research
 * extension defines its own rule by implementing this interface and publishing it through a
 * {@link ReluRuleProvider}. Implementations must be pure functions of their arguments (no state,
 * thread-safe): backends call them from many threads, in any order, and may call them several
 * times for the same element.
 */
public interface ReluRule {

    /** A unique, lower-case identifier, such as {@code guided}; how users name the rule. */
    String id();

    /**
     * The gradient passed back to the ReLU's input.
     *
     * @param x the ReLU's forward input
     * @param dy the gradient arriving at the ReLU's output
     * @return dx
     */
    float backward(float x, float dy);
}
