package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;

/** Copies the caller's input batch into the input value's buffer (which may be a block slice). */
final class InputStep extends Step {
    private float[] source;

    InputStep(Value output) {
        super("input", new Value[0], output);
    }

    void bind(float[] batch) {
        this.source = batch;
    }

    @Override
    void forward(Frame f) {
        float[] dst = f.data(output);
        int per = output.size();
        for (int i = 0; i < f.batch; i++) {
            System.arraycopy(source, i * per, dst, output.offset(i), per);
        }
        source = null;
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        // The input's gradient is the result; nothing flows further.
    }
}
