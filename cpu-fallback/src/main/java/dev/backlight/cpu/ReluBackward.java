package dev.backlight.cpu;

import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;

/**
 * Applies a ReLU rule to a run of elements. Built-in rules run the {@link ElementwiseKernel}'s
 * loops; custom rules go through
 * {@link ReluRule#backward}.
 */
final class ReluBackward {
    private ReluBackward() {
    }

    /**
     * For p in [0, len): {@code dx[dxo+p] += scale * rule(scale * x[xo+p] + shift, dy[dyo+p])}.
     * With {@code scale = 1, shift = 0} it is a plain ReLU; otherwise the ReLU input is recomputed
     * from the batch norm's input exactly as the forward pass computed it.
     */
    static void addScaled(ReluRule rule, float scale, float shift, float[] x, int xo, float[] dy, int dyo,
                          float[] dx, int dxo, int len) {
        if (rule == BuiltinRule.GUIDED) {
            Elementwise.KERNEL.guided(scale, shift, x, xo, dy, dyo, dx, dxo, len);
        } else if (rule == BuiltinRule.VANILLA) {
            Elementwise.KERNEL.vanilla(scale, shift, x, xo, dy, dyo, dx, dxo, len);
        } else if (rule == BuiltinRule.DECONVNET) {
            Elementwise.KERNEL.deconvnet(scale, dy, dyo, dx, dxo, len);
        } else {
            for (int p = 0; p < len; p++) {
                float v = scale * x[xo + p] + shift;
                dx[dxo + p] += scale * rule.backward(v, dy[dyo + p]);
            }
        }
    }
}
