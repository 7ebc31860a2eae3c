package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;

/**
 * Average pooling over k×k windows, zero padding counted in the divisor k² (PyTorch's default;
 * with floor-mode output sizes no window reaches past the padding). With {@code global} it
 * averages each whole plane into one value.
 */
final class AvgPoolStep extends Step {
    private final int kernelH;
    private final int kernelW;
    private final int stride;
    private final int pad;

    AvgPoolStep(String name, Value input, Value output, int kernel, int stride, int pad) {
        this(name, input, output, kernel, kernel, stride, pad);
    }

    private AvgPoolStep(String name, Value input, Value output, int kernelH, int kernelW, int stride, int pad) {
        super(name, new Value[] {input}, output);
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.stride = stride;
        this.pad = pad;
    }

    /** A global average pool: one window covering the whole plane. */
    static AvgPoolStep global(String name, Value input, Value output) {
        return new AvgPoolStep(name, input, output, input.height, input.width, 1, 0);
    }

    @Override
    void forward(Frame f) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] y = f.data(output);
        float inv = 1f / (kernelH * kernelW);
        int oh = output.height;
        int ow = output.width;
        f.workers.run(f.batch * in.channels, in.plane, t -> {
            int i = t / in.channels;
            int c = t % in.channels;
            int xo = in.offset(i) + c * in.plane;
            int yo = output.offset(i) + c * output.plane;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double sum = 0;
                    for (int ky = 0; ky < kernelH; ky++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= in.height) {
                            continue;
                        }
                        for (int kx = 0; kx < kernelW; kx++) {
                            int ix = ox * stride - pad + kx;
                            if (ix >= 0 && ix < in.width) {
                                sum += x[xo + iy * in.width + ix];
                            }
                        }
                    }
                    y[yo + oy * ow + ox] = (float) (sum * inv);
                }
            }
        });
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        Value in = inputs[0];
        float[] dy = f.grad(output);
        float[] dx = f.grad(in);
        float inv = 1f / (kernelH * kernelW);
        int oh = output.height;
        int ow = output.width;
        f.workers.run(f.batch * in.channels, in.plane, t -> {
            int i = t / in.channels;
            int c = t % in.channels;
            int xo = in.offset(i) + c * in.plane;
            int yo = output.offset(i) + c * output.plane;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float g = dy[yo + oy * ow + ox] * inv;
                    for (int ky = 0; ky < kernelH; ky++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= in.height) {
                            continue;
                        }
                        for (int kx = 0; kx < kernelW; kx++) {
                            int ix = ox * stride - pad + kx;
                            if (ix >= 0 && ix < in.width) {
                                dx[xo + iy * in.width + ix] += g;
                            }
                        }
                    }
                }
            }
        });
    }
}
