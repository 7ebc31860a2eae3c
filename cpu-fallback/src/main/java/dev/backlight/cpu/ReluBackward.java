package dev.backlight.cpu;

import dev.backlight.api.Shape;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import dev.backlight.api.rule.ReluSite;

/**
 * Applies a ReLU rule in a step's backward pass. Built-in rules run the {@link ElementwiseKernel}'s
 * fused loops per channel plane; a custom rule is called once for the whole layer, on copies of the
 * ReLU's input and output gradient gathered from the plan's buffers.
 */
final class ReluBackward {
    private ReluBackward() {
    }

    /**
     * For p in [0, len): {@code dx[dxo+p] += scale * rule(scale * x[xo+p] + shift, dy[dyo+p])}, for a
     * {@link BuiltinRule}. With {@code scale = 1, shift = 0} it is a plain ReLU; otherwise the ReLU
     * input is recomputed from the batch norm's input exactly as the forward pass computed it.
     */
    static void addScaled(BuiltinRule rule, float scale, float shift, float[] x, int xo, float[] dy, int dyo,
                          float[] dx, int dxo, int len) {
        switch (rule) {
            case GUIDED -> Elementwise.KERNEL.guided(scale, shift, x, xo, dy, dyo, dx, dxo, len);
            case VANILLA -> Elementwise.KERNEL.vanilla(scale, shift, x, xo, dy, dyo, dx, dxo, len);
            case DECONVNET -> Elementwise.KERNEL.deconvnet(scale, dy, dyo, dx, dxo, len);
        }
    }

    /**
     * The backward pass of a ReLU layer under a custom rule: the layer's input {@code v = a_c·x + b_c}
     * (a batch norm's, recomputed as the forward pass did; {@code scale == null} for a plain ReLU) and
     * its output gradient are gathered into arrays laid out {@code [N, C, H, W]}, the rule is called
     * once, and {@code dx += a_c · rule's dx} is scattered back.
     */
    static void customLayer(ReluRule rule, String node, int index, Frame f, Value in, Value out, float[] scale,
                            float[] shift) {
        int plane = in.plane;
        int perImage = in.size();
        ReluSite site = new ReluSite(node, index, f.batch, Shape.of(in.channels, in.height, in.width));
        float[] v = new float[site.elements()];
        float[] g = new float[site.elements()];
        float[] r = new float[site.elements()];
        float[] x = f.data(in);
        float[] dy = f.grad(out);
        float[] dx = f.grad(in);
        for (int i = 0; i < f.batch; i++) {
            for (int c = 0; c < in.channels; c++) {
                int xo = in.offset(i) + c * plane;
                int yo = out.offset(i) + c * plane;
                int o = i * perImage + c * plane;
                float a = scale == null ? 1f : scale[c];
                float b = shift == null ? 0f : shift[c];
                for (int p = 0; p < plane; p++) {
                    v[o + p] = a * x[xo + p] + b;
                }
                System.arraycopy(dy, yo, g, o, plane);
            }
        }
        rule.backward(site, v, g, r);
        for (int i = 0; i < f.batch; i++) {
            for (int c = 0; c < in.channels; c++) {
                int xo = in.offset(i) + c * plane;
                int o = i * perImage + c * plane;
                float a = scale == null ? 1f : scale[c];
                for (int p = 0; p < plane; p++) {
                    dx[xo + p] += a * r[o + p];
                }
            }
        }
    }
}
