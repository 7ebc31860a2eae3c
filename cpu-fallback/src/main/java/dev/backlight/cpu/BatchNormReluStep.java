package dev.backlight.cpu;

import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;

/**
 * Eval-mode batch norm followed by ReLU, fused: {@code y = max(a·x + b, 0)} ({@link Math#max}: a
 * NaN stays NaN, as in PyTorch) per channel, in an {@link ElementwiseKernel}'s loops, with
 * {@code a = γ/√(var+ε)}, {@code b = β − mean·a}. It keeps only its input x (usually a dense-block
 * buffer that is kept anyway); the backward pass recomputes the ReLU input from it, applies the
 * rule and the BN scale: {@code dx += a · rule(a·x + b, dy)}. With {@code relu = false} it is a
 * plain batch norm whose backward is {@code dx += a · dy}.
 */
final class BatchNormReluStep extends Step {
    private final float[] scale;
    private final float[] shift;
    private final boolean relu;

    /** The ReLU's node name and its index among the graph's ReLUs (for custom rules). */
    private final String reluNode;
    private final int reluIndex;

    BatchNormReluStep(String name, Value input, Value output, float[] scale, float[] shift, boolean relu, int reluIndex) {
        super(name, new Value[] {input}, output);
        this.scale = scale;
        this.shift = shift;
        this.relu = relu;
        this.reluNode = name.substring(name.lastIndexOf('+') + 1);
        this.reluIndex = reluIndex;
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
            Elementwise.KERNEL.scaleShift(a, b, relu, x, xo, y, yo, plane);
        });
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] dy = f.grad(output);
        float[] dx = f.grad(in);
        int plane = in.plane;
        if (relu && !(rule instanceof BuiltinRule)) {
            ReluBackward.customLayer(rule, reluNode, reluIndex, f, in, output, scale, shift);
            return;
        }
        BuiltinRule builtin = relu ? (BuiltinRule) rule : null;
        f.workers.run(f.batch * in.channels, in.plane, t -> {
            int i = t / in.channels;
            int c = t % in.channels;
            int xo = in.offset(i) + c * plane;
            int yo = output.offset(i) + c * plane;
            float a = scale[c];
            if (relu) {
                ReluBackward.addScaled(builtin, a, shift[c], x, xo, dy, yo, dx, xo, plane);
            } else {
                Elementwise.KERNEL.scale(a, dy, yo, dx, xo, plane);
            }
        });
    }
}
