package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.backlight.api.rule.BuiltinRule;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ConvStep} against convolution by its definition in float64, on two seeded random images:
 * the forward pass (im2col read in place, output overwritten with the bias) and the backward-data
 * pass, which for stride 1 is a transposed convolution (flipped weights, padding kernel − 1 − pad,
 * negative where pad > kernel − 1) and otherwise goes through col2im.
 */
class ConvStepTest {
    /** cin, height, width, cout, kh, kw, stride, pad. */
    static Stream<int[]> shapes() {
        return Stream.of(
                new int[] {3, 9, 8, 4, 3, 3, 1, 1}, new int[] {5, 7, 11, 3, 3, 3, 1, 0},
                new int[] {2, 6, 5, 3, 3, 3, 1, 2}, new int[] {3, 8, 7, 2, 3, 3, 1, 3},
                new int[] {4, 7, 9, 5, 1, 3, 1, 1}, new int[] {3, 13, 11, 4, 7, 7, 2, 3},
                new int[] {4, 9, 9, 3, 3, 3, 2, 0}, new int[] {2, 10, 7, 3, 5, 5, 3, 2},
                new int[] {6, 5, 7, 7, 1, 1, 1, 0}, new int[] {3, 6, 6, 2, 1, 1, 1, 1},
                new int[] {40, 7, 7, 33, 3, 3, 1, 1});
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void forwardAndBackwardDataMatchTheDefinition(int[] s) {
        int cin = s[0], h = s[1], w = s[2], cout = s[3], kh = s[4], kw = s[5], stride = s[6], pad = s[7];
        int oh = (h + 2 * pad - kh) / stride + 1;
        int ow = (w + 2 * pad - kw) / stride + 1;
        int batch = 2;
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(s));
        float[] weight = gaussian(rnd, cout * cin * kh * kw);
        float[] bias = kh == 3 ? gaussian(rnd, cout) : null;
        Value in = new Value(0, "x", cin, h, w);
        Value out = new Value(1, "y", cout, oh, ow);
        in.dataBuffer = 0;
        in.gradBuffer = 0;
        in.imageStride = in.size();
        out.dataBuffer = 1;
        out.gradBuffer = 1;
        out.imageStride = out.size();
        ConvStep step = new ConvStep("conv", in, out, kh, kw, stride, pad, weight, bias);
        try (Workers workers = new Workers(2)) {
            Frame f = new Frame(batch, workers, new int[] {in.size(), out.size()}, new int[] {in.size(), out.size()},
                    new int[0], step.scratchSize());
            float[] x = gaussian(rnd, batch * in.size());
            System.arraycopy(x, 0, f.data[0], 0, x.length);
            Arrays.fill(f.data[1], Float.NaN);
            step.forward(f);
            float[] dy = gaussian(rnd, batch * out.size());
            System.arraycopy(dy, 0, f.grad[1], 0, dy.length);
            float[] dx0 = gaussian(rnd, batch * in.size());
            System.arraycopy(dx0, 0, f.grad[0], 0, dx0.length);
            step.backward(f, BuiltinRule.GUIDED);

            double[] y = new double[batch * out.size()];
            double[] yMag = new double[y.length];
            double[] dx = new double[batch * in.size()];
            double[] dxMag = new double[dx.length];
            for (int i = 0; i < batch; i++) {
                for (int o = 0; o < cout; o++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int yi = i * out.size() + (o * oh + oy) * ow + ox;
                            y[yi] = bias == null ? 0 : bias[o];
                            yMag[yi] = Math.abs(y[yi]);
                            for (int c = 0; c < cin; c++) {
                                for (int ky = 0; ky < kh; ky++) {
                                    for (int kx = 0; kx < kw; kx++) {
                                        int iy = oy * stride - pad + ky;
                                        int ix = ox * stride - pad + kx;
                                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                            continue;
                                        }
                                        int xi = i * in.size() + (c * h + iy) * w + ix;
                                        double wv = weight[((o * cin + c) * kh + ky) * kw + kx];
                                        y[yi] += wv * x[xi];
                                        yMag[yi] += Math.abs(wv * x[xi]);
                                        dx[xi] += wv * dy[yi];
                                        dxMag[xi] += Math.abs(wv * dy[yi]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            check("forward", f.data[1], y, yMag, new float[y.length], cin * kh * kw);
            check("backward-data", f.grad[0], dx, dxMag, dx0, cout * kh * kw);
        }
    }

    static Stream<Arguments> shapesAndBatches() {
        return shapes().flatMap(s -> Stream.of(1, 3, 8).map(batch -> Arguments.of(s, batch)));
    }

    /**
     * A batch (one GEMM over all images where {@link ConvStep#batched} says so) gives the bits of
     * each image run alone, forward and backward-data, with the values at a channel offset inside
     * wider buffers (as in a dense block) whose other channels must stay untouched.
     */
    @ParameterizedTest(name = "{0} batch {1}")
    @MethodSource("shapesAndBatches")
    void aBatchGivesTheBitsOfEachImageAlone(int[] s, int batch) {
        int cin = s[0], h = s[1], w = s[2], cout = s[3], kh = s[4], kw = s[5], stride = s[6], pad = s[7];
        int oh = (h + 2 * pad - kh) / stride + 1;
        int ow = (w + 2 * pad - kw) / stride + 1;
        SplittableRandom rnd = new SplittableRandom(31L * Arrays.hashCode(s) + batch);
        float[] weight = gaussian(rnd, cout * cin * kh * kw);
        float[] bias = gaussian(rnd, cout);
        Value in = new Value(0, "x", cin, h, w);
        Value out = new Value(1, "y", cout, oh, ow);
        in.dataBuffer = 0;
        in.gradBuffer = 0;
        in.channelOffset = 2;
        in.imageStride = (cin + 3) * in.plane;
        out.dataBuffer = 1;
        out.gradBuffer = 1;
        out.channelOffset = 1;
        out.imageStride = (cout + 2) * out.plane;
        ConvStep step = new ConvStep("conv", in, out, kh, kw, stride, pad, weight, bias);
        int[] sizes = {in.imageStride, out.imageStride};
        float[] x = gaussian(rnd, batch * in.imageStride);
        float[] y0 = gaussian(rnd, batch * out.imageStride);
        float[] dy = gaussian(rnd, batch * out.imageStride);
        float[] dx0 = gaussian(rnd, batch * in.imageStride);
        try (Workers workers = new Workers(2)) {
            Frame all = new Frame(batch, workers, sizes, sizes, new int[0], step.scratchSize());
            run(step, all, x, y0, dy, dx0, 0);
            Frame one = new Frame(1, workers, sizes, sizes, new int[0], step.scratchSize());
            for (int i = 0; i < batch; i++) {
                run(step, one, x, y0, dy, dx0, i);
                assertBitsEqual(one.data[1], 0, all.data[1], i * out.imageStride, out.imageStride, "forward, image " + i);
                assertBitsEqual(one.grad[0], 0, all.grad[0], i * in.imageStride, in.imageStride, "backward-data, image " + i);
            }
            // The channels outside the values were left alone.
            for (int i = 0; i < batch; i++) {
                assertBitsEqual(y0, i * out.imageStride, all.data[1], i * out.imageStride, out.plane, "y before channel 1");
                int after = (1 + cout) * out.plane;
                assertBitsEqual(y0, i * out.imageStride + after, all.data[1], i * out.imageStride + after, out.plane,
                        "y after its channels");
            }
            assertTrue(!Arrays.equals(all.grad[0], dx0), "dx was not written");
        }
    }

    /** Runs forward then backward on images {@code first .. first + f.batch} of the given arrays. */
    private static void run(ConvStep step, Frame f, float[] x, float[] y0, float[] dy, float[] dx0, int first) {
        int xs = f.data[0].length;
        int ys = f.data[1].length;
        System.arraycopy(x, first * xs, f.data[0], 0, xs);
        System.arraycopy(y0, first * ys, f.data[1], 0, ys);
        System.arraycopy(dy, first * ys, f.grad[1], 0, ys);
        System.arraycopy(dx0, first * xs, f.grad[0], 0, xs);
        step.forward(f);
        step.backward(f, BuiltinRule.GUIDED);
    }

    private static void assertBitsEqual(float[] want, int wantOff, float[] got, int gotOff, int len, String what) {
        for (int e = 0; e < len; e++) {
            if (Float.floatToRawIntBits(want[wantOff + e]) != Float.floatToRawIntBits(got[gotOff + e])) {
                fail(what + ": element " + e + " is " + got[gotOff + e] + ", expected " + want[wantOff + e]);
            }
        }
    }

    /** got − start must equal want within float32 rounding of a sum of {@code terms} products. */
    private static void check(String pass, float[] got, double[] want, double[] magnitude, float[] start, int terms) {
        double bound = 2.0 * (terms + 2) * 0x1p-24;
        double errSq = 0;
        double refSq = 0;
        for (int i = 0; i < want.length; i++) {
            double exact = start[i] + want[i];
            double err = Math.abs(got[i] - exact);
            if (!(err <= bound * (magnitude[i] + Math.abs(start[i])))) {
                fail(pass + " element " + i + ": " + got[i] + ", exact " + exact);
            }
            errSq += err * err;
            refSq += want[i] * want[i];
        }
        assertTrue(refSq > 0, pass + " compared only zeros");
        assertTrue(Math.sqrt(errSq / refSq) < 1e-5, pass + " relative L2 error " + Math.sqrt(errSq / refSq));
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }
}
