package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;

/**
 * A channel concatenation that could not be laid out without copies (its inputs already live
 * elsewhere): forward copies each input into its channel slice, backward adds the slices back.
 * Dense blocks never need it; the planner places their features in one block buffer instead.
 */
final class ConcatCopyStep extends Step {
    ConcatCopyStep(String name, Value[] inputs, Value output) {
        super(name, inputs, output);
    }

    @Override
    void forward(Frame f) {
        float[] y = f.data(output);
        f.workers.run(f.batch, output.size(), i -> {
            int at = output.offset(i);
            for (Value v : inputs) {
                System.arraycopy(f.data(v), v.offset(i), y, at, v.size());
                at += v.size();
            }
        });
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        float[] dy = f.grad(output);
        f.workers.run(f.batch, output.size(), i -> {
            int at = output.offset(i);
            for (Value v : inputs) {
                float[] dx = f.grad(v);
                int o = v.offset(i);
                for (int p = 0; p < v.size(); p++) {
                    dx[o + p] += dy[at + p];
                }
                at += v.size();
            }
        });
    }
}
