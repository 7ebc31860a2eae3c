package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One GEMM over a batch of images ({@link BatchedMatrix} for B, {@link ImageColumns} for C) against
 * one GEMM per image: the same bits in both modes (overwrite from the bias, accumulate), for any
 * thread count, and nothing written between the images' blocks of C. Run with both kernels.
 */
class BatchedGemmTest {
    /** m, plane (columns per image), k: planes around the 48-column tiles, DenseNet's 7×7 and 14×14. */
    static Stream<int[]> shapes() {
        return Stream.of(new int[] {5, 49, 9}, new int[] {33, 7, 300}, new int[] {7, 196, 40}, new int[] {13, 1, 5},
                new int[] {130, 50, 70}, new int[] {4, 47, 1}, new int[] {1, 97, 257}, new int[] {32, 49, 288});
    }

    static Stream<Arguments> cases() {
        return GemmTest.kernels().stream().flatMap(kernel -> shapes().flatMap(s -> Stream.of(1, 3, 8)
                .map(batch -> Arguments.of(kernel, s[0], s[1], s[2], batch))));
    }

    @ParameterizedTest(name = "{0} {1}x({4}x{2})x{3}")
    @MethodSource("cases")
    void oneGemmOverTheBatchEqualsOnePerImage(GemmTest.Kernel kernel, int m, int plane, int k, int batch) {
        SplittableRandom rnd = new SplittableRandom(97L * m + 31L * plane + 7L * k + batch);
        int lda = k + 3;
        float[] a = gaussian(rnd, m * lda);
        float[] bias = gaussian(rnd, m);
        // B: image i's k × plane matrix at bStride · i + 5; C: image i's m × plane block (row stride
        // plane + 2) at cStride · i + 4. Both strides leave gaps between the images.
        int ldb = plane + 1;
        int bStride = k * ldb + 11;
        int ldc = plane + 2;
        int cStride = m * ldc + 6;
        float[] b = gaussian(rnd, batch * bStride + 5);
        RightMatrix[] images = new RightMatrix[batch];
        for (int i = 0; i < batch; i++) {
            images[i] = new DenseMatrix(b, 5 + i * bStride, ldb);
        }
        RightMatrix batched = new BatchedMatrix(images, plane);
        ImageColumns columns = new ImageColumns(plane, cStride);
        float[] c0 = gaussian(rnd, batch * cStride + 4);
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] expected = c0.clone();
            float[] reference = null;
            try (Workers one = new Workers(1)) {
                for (int i = 0; i < batch; i++) {
                    kernel.impl().multiply(one, m, plane, k, a, 0, lda, images[i], expected, 4 + i * cStride, ldc,
                            accumulate, accumulate ? null : bias);
                }
            }
            for (int threads : new int[] {1, 2, 3}) {
                float[] got = c0.clone();
                try (Workers workers = new Workers(threads)) {
                    kernel.impl().multiply(workers, m, batch * plane, k, a, 0, lda, batched, got, 4, ldc, columns,
                            accumulate, accumulate ? null : bias);
                }
                for (int e = 0; e < got.length; e++) {
                    if (Float.floatToRawIntBits(got[e]) != Float.floatToRawIntBits(expected[e])) {
                        fail(kernel + (accumulate ? " accumulate" : " overwrite") + ", " + threads + " threads: element "
                                + e + " (image " + (e - 4) / cStride + ") is " + got[e] + ", one GEMM per image gives "
                                + expected[e]);
                    }
                }
                reference = got;
            }
            assertTrue(!Arrays.equals(reference, c0), "C was not written");
        }
    }

    @Test
    void imageColumnsMapColumnsToImagesAndCheckTheirBounds() {
        ImageColumns columns = new ImageColumns(49, 1000);
        assertEquals(48, columns.offset(48));
        assertEquals(1000, columns.offset(49));
        assertEquals(2000 + 3, columns.offset(101));
        assertTrue(columns.contiguous(0, 49));
        assertTrue(!columns.contiguous(48, 2));
        float[] c = new float[3000];
        // Three images of 2 rows × 49 columns, row stride 49: the last ends at 2000 + 98.
        columns.checkFits(c, 0, 49, 2, 147);
        assertThrows(IllegalArgumentException.class, () -> columns.checkFits(c, 950, 49, 2, 147));
        assertThrows(IllegalArgumentException.class, () -> columns.checkFits(c, 0, 48, 2, 147));
        assertThrows(IllegalArgumentException.class, () -> new BatchedMatrix(new RightMatrix[] {
            new DenseMatrix(c, 0, 49), new DenseMatrix(c, 100, 49)}, 49).checkFits(2, 99));
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
