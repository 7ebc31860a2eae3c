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

    /**
     * Whether a pass over {@code batch} images runs as one GEMM of n = batch × plane (columns from
     * every image: {@link BatchedMatrix}, {@link ImageColumns}) rather than one GEMM per image.
     * Measured on DenseNet-201 at batch 8, it pays for every plane size, most for the 14×14 and 7×7
     * maps: alone, 49 columns fill one 48-wide register tile and waste a second, and each call pays
     * the worker pool's wake-up. Only the stride-2 stem, whose backward goes through col2im, keeps
     * one GEMM per image.
     */
    boolean batched(int batch) {
        return batch > 1 && stride == 1;
    }

    @Override
    void forward(Frame f) {
        Value in = inputs[0];
        float[] x = f.data(in);
        float[] y = f.data(output);
        int k = cin * kh * kw;
        int n = output.plane;
        if (batched(f.batch)) {
            RightMatrix[] images = new RightMatrix[f.batch];
            for (int i = 0; i < f.batch; i++) {
                images[i] = forwardColumns(x, in.offset(i));
            }
            Gemm.multiply(f.workers, cout, f.batch * n, k, weight, 0, k, new BatchedMatrix(images, n), bias,
                    y, output.offset(0), n, new ImageColumns(n, output.imageStride));
            return;
        }
        for (int i = 0; i < f.batch; i++) {
            Gemm.multiply(f.workers, cout, n, k, weight, 0, k, forwardColumns(x, in.offset(i)), bias, y, output.offset(i), n);
        }
    }

    /** B of the forward GEMM for the image at {@code offset}: the map itself (1×1) or its im2col view. */
    private RightMatrix forwardColumns(float[] x, int offset) {
        Value in = inputs[0];
        return pointwise ? new DenseMatrix(x, offset, in.plane)
                : new Im2colMatrix(x, offset, cin, in.height, in.width, kh, kw, stride, pad, pad, output.height, output.width);
    }

    /** B of the stride-1 backward-data GEMM for the output gradient at {@code offset}: dy itself (1×1) or its transposed-convolution im2col view. */
    private RightMatrix backwardColumns(float[] dy, int offset) {
        Value in = inputs[0];
        return pointwise ? new DenseMatrix(dy, offset, output.plane)
                : new Im2colMatrix(dy, offset, cout, output.height, output.width, kh, kw, 1, kh - 1 - pad, kw - 1 - pad,
                        in.height, in.width);
    }

    @Override
    void backward(Frame f, ReluRule rule) {
        Value in = inputs[0];
        float[] dy = f.grad(output);
        float[] dx = f.grad(in);
        int k = cin * kh * kw;
        int n = output.plane;
        int kt = cout * kh * kw;
        if (batched(f.batch)) {
            RightMatrix[] images = new RightMatrix[f.batch];
            for (int i = 0; i < f.batch; i++) {
                images[i] = backwardColumns(dy, output.offset(i));
            }
            Gemm.multiplyAdd(f.workers, cin, f.batch * in.plane, kt, weightT, 0, kt, new BatchedMatrix(images, in.plane),
                    dx, in.offset(0), in.plane, new ImageColumns(in.plane, in.imageStride));
            return;
        }
        for (int i = 0; i < f.batch; i++) {
            if (stride == 1) {
                Gemm.multiplyAdd(f.workers, cin, in.plane, kt, weightT, 0, kt, backwardColumns(dy, output.offset(i)),
                        dx, in.offset(i), in.plane);
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
