package dev.backlight.cpu;

import dev.backlight.api.rule.ReluRule;
import java.util.Arrays;

/**
 * 2-d convolution as GEMM: forward {@code out = W · im2col(in) + bias}, the GEMM reading
 * {@code im2col(in)} in place ({@link Im2colMatrix}) and writing out without a fill pass first.
 * Backward-data of a stride-1 convolution is itself a convolution: {@code d in += W' ·
 * im2col'(d out)}, W' the weights with input and output channels swapped and the kernel turned by
 * 180°, im2col' padded by kernel − 1 − pad; so neither pass ever materialises an im2col matrix.
 * Other strides (DenseNet's stem) take {@code d in += col2im(Wᵀ · d out)} through a scratch
 * matrix. A 1×1, stride-1, unpadded convolution reads and writes the feature maps directly.
 */
final class ConvStep extends Step {
    private final int cin;
    private final int cout;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int pad;
    private final float[] weight;
    /**
     * Backward-data weights: with stride 1, W' (see the class comment), {@code [cin][cout·kh·kw]}
     * (for 1×1 simply Wᵀ); otherwise Wᵀ, {@code [cin·kh·kw][cout]}, for the scratch path.
     */
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
            for (int c = 0; c < cin; c++) {
                for (int ky = 0; ky < kh; ky++) {
                    for (int kx = 0; kx < kw; kx++) {
                        float v = weight[((o * cin + c) * kh + ky) * kw + kx];
                        if (stride == 1) {
                            weightT[c * cout * kh * kw + (o * kh + kh - 1 - ky) * kw + kw - 1 - kx] = v;
                        } else {
                            weightT[((c * kh + ky) * kw + kx) * cout + o] = v;
                        }
                    }
                }
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
        return stride == 1 ? 0 : cin * kh * kw * output.plane;
    }

    @Override
    void forward(Frame f) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] y = f.data(output);
        int k = cin * kh * kw;
        int n = output.plane;
        for (int i = 0; i < f.batch; i++) {
            RightMatrix cols = pointwise ? new DenseMatrix(x, in.offset(i), in.plane)
                    : new Im2colMatrix(x, in.offset(i), cin, in.height, in.width, kh, kw, stride, pad, pad,
                            output.height, output.width);
            Gemm.multiply(f.workers, cout, n, k, weight, 0, k, cols, bias, y, output.offset(i), n);
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
            } else if (stride == 1) {
                int kt = cout * kh * kw;
                RightMatrix cols = new Im2colMatrix(dy, output.offset(i), cout, output.height, output.width, kh, kw, 1,
                        kh - 1 - pad, kw - 1 - pad, in.height, in.width);
                Gemm.multiplyAdd(f.workers, cin, in.plane, kt, weightT, 0, kt, cols, dx, in.offset(i), in.plane);
            } else {
                Arrays.fill(f.scratch, 0, k * n, 0f);
                Gemm.multiplyAdd(f.workers, k, n, cout, weightT, 0, cout, dy, output.offset(i), n, f.scratch, 0, n);
                col2imAdd(f, f.scratch, dx, in.offset(i));
            }
        }
    }

    /** Adds the column gradient back onto the input image; one task per input channel, fixed order. */
    private void col2imAdd(Frame f, float[] col, float[] dx, int xo) {
        Value in = inputs[0];
        int h = in.height;
        int w = in.width;
        int oh = output.height;
        int ow = output.width;
        f.workers.run(cin, kh * kw * output.plane, c -> {
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
