package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Im2colMatrix}, the im2col view a convolution's GEMM reads in place: every row run equals
 * the explicit im2col matrix, and a GEMM through the view gives the bits of one on that matrix.
 */
class Im2colMatrixTest {
    /** channels, height, width, kh, kw, stride, padH, padW: odd sizes, strides 1 to 3, paddings -1 to 3. */
    static Stream<int[]> geometries() {
        return Stream.of(
                new int[] {3, 9, 8, 3, 3, 1, 1, 1}, new int[] {2, 7, 11, 3, 3, 1, 0, 0},
                new int[] {4, 5, 6, 3, 3, 1, 2, 2}, new int[] {3, 13, 11, 7, 7, 2, 3, 3},
                new int[] {2, 9, 9, 3, 3, 2, 0, 0}, new int[] {5, 10, 7, 1, 3, 1, 0, 1},
                new int[] {3, 8, 9, 2, 5, 3, 1, 2}, new int[] {2, 6, 6, 3, 3, 1, -1, -1},
                new int[] {7, 4, 4, 1, 1, 1, 0, 0}, new int[] {1, 12, 5, 5, 5, 1, 4, 4},
                new int[] {33, 14, 14, 3, 3, 1, 1, 1});
    }

    private static Im2colMatrix view(float[] x, int offset, int[] g) {
        int oh = (g[1] + 2 * g[6] - g[3]) / g[5] + 1;
        int ow = (g[2] + 2 * g[7] - g[4]) / g[5] + 1;
        return new Im2colMatrix(x, offset, g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], oh, ow);
    }

    /** The im2col matrix written out by its definition. */
    private static float[] explicit(Im2colMatrix v) {
        int rows = v.channels() * v.kh() * v.kw();
        int cols = v.outHeight() * v.outWidth();
        float[] m = new float[rows * cols];
        for (int c = 0; c < v.channels(); c++) {
            for (int ky = 0; ky < v.kh(); ky++) {
                for (int kx = 0; kx < v.kw(); kx++) {
                    int row = (c * v.kh() + ky) * v.kw() + kx;
                    for (int oy = 0; oy < v.outHeight(); oy++) {
                        for (int ox = 0; ox < v.outWidth(); ox++) {
                            int iy = oy * v.stride() - v.padH() + ky;
                            int ix = ox * v.stride() - v.padW() + kx;
                            boolean inside = iy >= 0 && iy < v.height() && ix >= 0 && ix < v.width();
                            m[row * cols + oy * v.outWidth() + ox] =
                                    inside ? v.x()[v.offset() + (c * v.height() + iy) * v.width() + ix] : 0f;
                        }
                    }
                }
            }
        }
        return m;
    }

    private static float[] randomMap(SplittableRandom rnd, int offset, int[] g) {
        float[] x = new float[offset + g[0] * g[1] * g[2] + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void everyRowRunEqualsTheExplicitMatrix(int[] g) {
        SplittableRandom rnd = new SplittableRandom(Arrays.hashCode(g));
        Im2colMatrix v = view(randomMap(rnd, 4, g), 4, g);
        float[] m = explicit(v);
        int rows = v.channels() * v.kh() * v.kw();
        int cols = v.outHeight() * v.outWidth();
        for (int trial = 0; trial < 300; trial++) {
            int p = rnd.nextInt(rows);
            int j0 = rnd.nextInt(cols);
            int len = 1 + rnd.nextInt(cols - j0);
            float[] dst = new float[len + 4];
            Arrays.fill(dst, Float.NaN);
            v.copyRow(p, j0, len, dst, 2);
            float[] want = new float[len + 4];
            Arrays.fill(want, Float.NaN);
            System.arraycopy(m, p * cols + j0, want, 2, len);
            assertArrayEquals(want, dst, "row " + p + ", columns " + j0 + " + " + len);
        }
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void aGemmThroughTheViewGivesTheBitsOfTheExplicitMatrix(int[] g) {
        SplittableRandom rnd = new SplittableRandom(31 + Arrays.hashCode(g));
        Im2colMatrix v = view(randomMap(rnd, 0, g), 0, g);
        int k = v.channels() * v.kh() * v.kw();
        int n = v.outHeight() * v.outWidth();
        for (int m : new int[] {1, 5, 32}) {
            float[] a = new float[m * k];
            float[] bias = new float[m];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < m; i++) {
                bias[i] = (float) rnd.nextGaussian();
            }
            float[] want = new float[m * n];
            float[] got = new float[m * n];
            Arrays.fill(got, Float.NaN);
            try (Workers workers = new Workers(2)) {
                Gemm.multiply(workers, m, n, k, a, 0, k, new DenseMatrix(explicit(v), 0, n), bias, want, 0, n);
                Gemm.multiply(workers, m, n, k, a, 0, k, v, bias, got, 0, n);
                assertArrayEquals(want, got, m + " rows, overwrite");
                Gemm.multiplyAdd(workers, m, n, k, a, 0, k, new DenseMatrix(explicit(v), 0, n), want, 0, n);
                Gemm.multiplyAdd(workers, m, n, k, a, 0, k, v, got, 0, n);
                assertArrayEquals(want, got, m + " rows, accumulate");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void aBlockLargerThanTheMatrixIsRefused(int[] g) {
        Im2colMatrix v = view(new float[g[0] * g[1] * g[2]], 0, g);
        int rows = v.channels() * v.kh() * v.kw();
        int cols = v.outHeight() * v.outWidth();
        v.checkFits(rows, cols);
        var e = assertThrows(IllegalArgumentException.class, () -> v.checkFits(rows + 1, cols));
        assertEquals(true, e.getMessage().contains("im2col"), e.getMessage());
    }
}
