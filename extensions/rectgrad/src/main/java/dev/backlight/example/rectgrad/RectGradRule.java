package dev.backlight.example.rectgrad;

import dev.backlight.api.rule.ReluRule;

/**
 * RectGrad (Kim et al. 2019, "Why are Saliency Maps Noisy? Cause of and Solution to Noisy
 * Saliency Maps"): a ReLU passes its gradient back only where the activation times the gradient
 * exceeds a threshold, {@code dx = dy · [a · dy > τ]} with {@code a = max(x, 0)} the ReLU's
 * output. Since {@code a · dy > τ ≥ 0} needs {@code a > 0}, in terms of the ReLU input
 * {@code x} this is {@code [x > 0 and x · dy > τ]}. The paper sets τ per layer from a percentile
 * of {@code a · dy}; this example uses one fixed τ (0 by default), which an elementwise rule can
 * express.
 */
public final class RectGradRule implements ReluRule {
    private final float tau;

    /** RectGrad with τ = 0. */
    public RectGradRule() {
        this(0f);
    }

    /** RectGrad with threshold {@code tau} (at least 0). */
    public RectGradRule(float tau) {
        if (!(tau >= 0)) {
            throw new IllegalArgumentException("RectGrad's threshold must be >= 0, got " + tau);
        }
        this.tau = tau;
    }

    @Override
    public String id() {
        return tau == 0f ? "rectgrad" : "rectgrad-" + tau;
    }

    @Override
    public float backward(float x, float dy) {
        return x > 0f && x * dy > tau ? dy : 0f;
    }
}
