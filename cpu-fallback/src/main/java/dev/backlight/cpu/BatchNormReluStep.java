package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;

/**
 * Eval-mode batch norm followed by ReLU, fused: {@code y = max(a·x + b, 0)} per channel with
 * {@code a = γ/√(var+ε)}, {@code b = β − mean·a}. It keeps only its input x (usually a dense-block
 * buffer that is kept anyway); the backward pass recomputes the ReLU input from it, applies the
 * rule and the BN scale: {@code dx += a · rule(a·x + b, dy)}. With {@code relu = false} it is a
 * plain batch norm whose backward is {@code dx += a · dy}.
 */
final class BatchNormReluStep extends Step {
    private final float[] scale;
    private final float[] shift;
    private final boolean relu;

    BatchNormReluStep(String name, Value input, Value output, float[] scale, float[] shift, boolean relu) {
        super(name, new Value[] {input}, output);
        this.scale = scale;
        this.shift = shift;
        this.relu = relu;
    }

    @Override
    boolean keepsInput(int i) {
        return relu;
    }

    @Override
    void forward(Frame f) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] y = f.data(output);
        int plane = in.plane;
        f.workers.run(f.batch * in.channels, in.plane, t -> {
            int i = t / in.channels;
            int c = t % in.channels;
            int xo = in.offset(i) + c * plane;
            int yo = output.offset(i) + c * plane;
            float a = scale[c];
            float b = shift[c];
            if (relu) {
                for (int p = 0; p < plane; p++) {
                    float v = a * x[xo + p] + b;
                    y[yo + p] = v > 0f ? v : 0f;
                }
            } else {
                for (int p = 0; p < plane; p++) {
                    y[yo + p] = a * x[xo + p] + b;
                }
            }
        });
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] dy = f.grad(output);
        float[] dx = f.grad(in);
        int plane = in.plane;
        f.workers.run(f.batch * in.channels, in.plane, t -> {
            int i = t / in.channels;
            int c = t % in.channels;
            int xo = in.offset(i) + c * plane;
            int yo = output.offset(i) + c * plane;
            float a = scale[c];
            if (relu) {
                ReluBackward.addScaled(rule, a, shift[c], x, xo, dy, yo, dx, xo, plane);
            } else {
                for (int p = 0; p < plane; p++) {
                    dx[xo + p] += a * dy[yo + p];
                }
            }
        });
    }
}
