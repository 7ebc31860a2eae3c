package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;
import java.util.Arrays;

/**
 * 2-d convolution as GEMM: forward {@code out = W · im2col(in) + bias}; backward-data
 * {@code d in += col2im(Wᵀ · d out)}. A 1×1, stride-1, unpadded convolution reads and writes the
 * feature maps directly (no im2col), which is most of DenseNet's work.
 */
final class ConvStep extends Step {
    private final int cin;
    private final int cout;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int pad;
    private final float[] weight;
    private final float[] weightT;
    private final float[] bias;
    private final boolean pointwise;

    ConvStep(String name, Value input, Value output, int kh, int kw, int stride, int pad, float[] weight, float[] bias) {
        super(name, new Value[] {input}, output);
        this.cin = input.channels;
        this.cout = output.channels;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.pad = pad;
        this.weight = weight;
        this.bias = bias;
        int k = cin * kh * kw;
        this.weightT = new float[k * cout];
        for (int o = 0; o < cout; o++) {
            for (int j = 0; j < k; j++) {
                weightT[j * cout + o] = weight[o * k + j];
            }
        }
        this.pointwise = kh == 1 && kw == 1 && stride == 1 && pad == 0;
    }

    /** " 1x1" or " 3x3 s1" etc., for profiles. */
    String shapeKind() {
        return " " + kh + "x" + kw + (stride == 1 ? "" : " s" + stride);
    }

    @Override
    int scratchSize() {
        return pointwise ? 0 : cin * kh * kw * output.plane;
    }

    @Override
    void forward(Frame f) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] y = f.data(output);
        int k = cin * kh * kw;
        int n = output.plane;
        for (int i = 0; i < f.batch; i++) {
            int yo = output.offset(i);
            for (int o = 0; o < cout; o++) {
                Arrays.fill(y, yo + o * n, yo + (o + 1) * n, bias == null ? 0f : bias[o]);
            }
            if (pointwise) {
                Gemm.multiplyAdd(f.workers, cout, n, k, weight, 0, k, x, in.offset(i), in.plane, y, yo, n);
            } else {
                im2col(f, x, in.offset(i), f.scratch);
                Gemm.multiplyAdd(f.workers, cout, n, k, weight, 0, k, f.scratch, 0, n, y, yo, n);
            }
        }
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        Value in = inputs[0];
        float[] dy = f.grad(output);
        float[] dx = f.grad(in);
        int k = cin * kh * kw;
        int n = output.plane;
        for (int i = 0; i < f.batch; i++) {
            if (pointwise) {
                Gemm.multiplyAdd(f.workers, cin, n, cout, weightT, 0, cout, dy, output.offset(i), n, dx, in.offset(i), in.plane);
            } else {
                Arrays.fill(f.scratch, 0, k * n, 0f);
                Gemm.multiplyAdd(f.workers, k, n, cout, weightT, 0, cout, dy, output.offset(i), n, f.scratch, 0, n);
                col2imAdd(f, f.scratch, dx, in.offset(i));
            }
        }
    }

    private void im2col(Frame f, float[] x, int xo, float[] col) {
        Value in = inputs[0];
        int h = in.height;
        int w = in.width;
        int oh = output.height;
        int ow = output.width;
        f.workers.run(cin, c -> {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = ((c * kh + ky) * kw + kx) * oh * ow;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        int r = row + oy * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, r, r + ow, 0f);
                            continue;
                        }
                        int src = xo + c * h * w + iy * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            col[r + ox] = ix >= 0 && ix < w ? x[src + ix] : 0f;
                        }
                    }
                }
            }
        });
    }

    /** Adds the column gradient back onto the input image; one task per input channel, fixed order. */
    private void col2imAdd(Frame f, float[] col, float[] dx, int xo) {
        Value in = inputs[0];
        int h = in.height;
        int w = in.width;
        int oh = output.height;
        int ow = output.width;
        f.workers.run(cin, c -> {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    int row = ((c * kh + ky) * kw + kx) * oh * ow;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int dst = xo + c * h * w + iy * w;
                        int r = row + oy * ow;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - pad + kx;
                            if (ix >= 0 && ix < w) {
                                dx[dst + ix] += col[r + ox];
                            }
                        }
                    }
                }
            }
        });
    }
}
