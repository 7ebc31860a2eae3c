package dev.backlight.example.rectgrad;

import dev.backlight.api.rule.ReluRule;
import dev.backlight.api.rule.ReluSite;

/**
 * RectGrad (Kim et al. 2019, "Why are Saliency Maps Noisy? Cause of and Solution to Noisy
 * Saliency Maps"): a ReLU passes its gradient back only where the activation times the gradient
 * exceeds a threshold, {@code dx = dy · [a · dy > τ]} with {@code a = max(x, 0)} the ReLU's
 * output. Since {@code a · dy > τ ≥ 0} needs {@code a > 0}, in terms of the ReLU input
 * {@code x} this is {@code [x > 0 and x · dy > τ]}. The paper sets τ per layer from a percentile
 * of {@code a · dy}; this example uses one fixed τ (0 by default) for every layer. The rule is
 * called once per layer with the whole batch's arrays ({@link ReluRule}), so a per-layer τ could be
 * computed here from {@code x} and {@code dy} before the loop.
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
    public void backward(ReluSite site, float[] x, float[] dy, float[] dx) {
        int n = site.elements();
        for (int i = 0; i < n; i++) {
            dx[i] = x[i] > 0f && x[i] * dy[i] > tau ? dy[i] : 0f;
        }
    }
}
