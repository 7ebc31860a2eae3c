package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;

/**
 * Max pooling. The forward pass records, per output, the in-plane index of the first maximum in
 * row-major window order (NaN wins, as in PyTorch); the backward pass sends each output's
 * gradient there. This tie rule matters: windows of ReLU zeros tie, and Deconvnet, which ignores
 * forward masks, passes gradient through them.
 */
final class MaxPoolStep extends Step {
    private final int kernel;
    private final int stride;
    private final int pad;
    int indexBuffer = -1;

    MaxPoolStep(String name, Value input, Value output, int kernel, int stride, int pad) {
        super(name, new Value[] {input}, output);
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
    }

    @Override
    int indexSize() {
        return output.size();
    }

    @Override
    void forward(Frame f) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] y = f.data(output);
        int[] idx = f.indices[indexBuffer];
        int h = in.height;
        int w = in.width;
        int oh = output.height;
        int ow = output.width;
        f.workers.run(f.batch * in.channels, in.plane, t -> {
            int i = t / in.channels;
            int c = t % in.channels;
            int xo = in.offset(i) + c * in.plane;
            int yo = output.offset(i) + c * output.plane;
            int io = i * output.size() + c * output.plane;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int arg = -1;
                    for (int ky = 0; ky < kernel; ky++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        for (int kx = 0; kx < kernel; kx++) {
                            int ix = ox * stride - pad + kx;
                            if (ix < 0 || ix >= w) {
                                continue;
                            }
                            float v = x[xo + iy * w + ix];
                            if (arg < 0 || v > best || Float.isNaN(v)) {
                                best = v;
                                arg = iy * w + ix;
                                if (Float.isNaN(v)) {
                                    break;
                                }
                            }
                        }
                        if (Float.isNaN(best)) {
                            break;
                        }
                    }
                    y[yo + oy * ow + ox] = best;
                    idx[io + oy * ow + ox] = arg;
                }
            }
        });
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        Value in = inputs[0];
        float[] dy = f.grad(output);
        float[] dx = f.grad(in);
        int[] idx = f.indices[indexBuffer];
        f.workers.run(f.batch * in.channels, in.plane, t -> {
            int i = t / in.channels;
            int c = t % in.channels;
            int xo = in.offset(i) + c * in.plane;
            int yo = output.offset(i) + c * output.plane;
            int io = i * output.size() + c * output.plane;
            for (int p = 0; p < output.plane; p++) {
                dx[xo + idx[io + p]] += dy[yo + p];
            }
        });
    }
}
