package dev.backlight.cpu;

import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;

/** A ReLU not preceded by a fusable batch norm: keeps its input for the rule's mask. */
final class ReluStep extends Step {
    /** Its index among the graph's ReLUs (for custom rules). */
    private final int reluIndex;

    ReluStep(String name, Value input, Value output, int reluIndex) {
        super(name, new Value[] {input}, output);
        this.reluIndex = reluIndex;
    }

    @Override
    void forward(Frame f) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] y = f.data(output);
        int size = in.size();
        f.workers.run(f.batch, in.size(), i -> {
            int xo = in.offset(i);
            int yo = output.offset(i);
            Elementwise.KERNEL.scaleShift(1f, 0f, true, x, xo, y, yo, size);
        });
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] dy = f.grad(output);
        float[] dx = f.grad(in);
        if (!(rule instanceof BuiltinRule builtin)) {
            ReluBackward.customLayer(rule, name, reluIndex, f, in, output, null, null);
            return;
        }
        f.workers.run(f.batch, in.size(), i -> ReluBackward.addScaled(builtin, 1f, 0f, x, in.offset(i), dy, output.offset(i), dx, in.offset(i), in.size()));
    }
}
