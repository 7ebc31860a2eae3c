package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;

/**
 * Fully connected layer on vectors, batched as one GEMM: {@code Y[N×O] = X[N×I] · Wᵀ + b};
 * backward-data {@code dX += dY · W}.
 */
final class LinearStep extends Step {
    private final int in;
    private final int out;
    private final float[] weight;
    private final float[] weightT;
    private final float[] bias;

    LinearStep(String name, Value input, Value output, float[] weight, float[] bias) {
        super(name, new Value[] {input}, output);
        this.in = input.channels;
        this.out = output.channels;
        this.weight = weight;
        this.bias = bias;
        this.weightT = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                weightT[j * out + o] = weight[o * in + j];
            }
        }
    }

    @Override
    void forward(Frame f) {
        Value x = inputs[0];
        float[] y = f.data(output);
        for (int i = 0; i < f.batch; i++) {
            for (int o = 0; o < out; o++) {
                y[output.offset(i) + o] = bias == null ? 0f : bias[o];
            }
        }
        Gemm.multiplyAdd(f.workers, f.batch, out, in, f.data(x), x.offset(0), x.imageStride,
                weightT, 0, out, y, output.offset(0), output.imageStride);
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        Value x = inputs[0];
        Gemm.multiplyAdd(f.workers, f.batch, in, out, f.grad(output), output.offset(0), output.imageStride,
                weight, 0, in, f.grad(x), x.offset(0), x.imageStride);
    }
}
