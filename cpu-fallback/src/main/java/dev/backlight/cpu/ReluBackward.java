package dev.backlight.cpu;

import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;

/**
 * Applies a ReLU rule to a run of elements. Built-in rules get branch-light loops (the rule
 * switch is loop-invariant, so C2 unswitches it); custom rules go through
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
            for (int p = 0; p < len; p++) {
                float v = scale * x[xo + p] + shift;
                float g = dy[dyo + p];
                dx[dxo + p] += v > 0f && g > 0f ? scale * g : 0f;
            }
        } else if (rule == BuiltinRule.VANILLA) {
            for (int p = 0; p < len; p++) {
                float v = scale * x[xo + p] + shift;
                dx[dxo + p] += v > 0f ? scale * dy[dyo + p] : 0f;
            }
        } else if (rule == BuiltinRule.DECONVNET) {
            for (int p = 0; p < len; p++) {
                float g = dy[dyo + p];
                dx[dxo + p] += g > 0f ? scale * g : 0f;
            }
        } else {
            for (int p = 0; p < len; p++) {
                float v = scale * x[xo + p] + shift;
                dx[dxo + p] += scale * rule.backward(v, dy[dyo + p]);
            }
        }
    }
}
