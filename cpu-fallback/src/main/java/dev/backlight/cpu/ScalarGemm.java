package dev.backlight.cpu;

import java.util.Arrays;

/**
 * The plain-Java GEMM kernel, used when the Vector API is not available. Each element of C is
 * {@code c = c + a[i][p] * b[p][j]} for p in increasing order (see {@link GemmKernel}).
 *
 * <p>The inner loop runs over j, four steps of p at a time, and C2 vectorises it (without FMA: Java
 * does not contract a multiply and an add) only if every array in it is indexed by the same
 * expression: C2 cannot rule out that two float arrays are one, and then {@code c[ci + j]} and
 * {@code b[bp + j]} might overlap. So each task copies its rows of B, block by block, into
 * separate per-thread arrays, and each row of C into an accumulator array, all indexed from 0. That
 * makes the loop 3 to 4 times faster than on the arrays in place (measured with JDK 17 and 25).
 */
final class ScalarGemm implements GemmKernel {
    /** Block bounds fall on multiples of 4 rows and 16 columns. */
    private static final int ROW_TILE = 4;
    private static final int COL_TILE = 16;
    /** Steps of k per block: the block's copy of B (K_BLOCK × up to 256 floats, 128 KiB) stays in L2. */
    private static final int K_BLOCK = 128;
    private static final int MAX_COLS = 256;
    /**
     * Tasks of at most 64 rows × 256 columns. Copying B costs about as much as a multiply-add per
     * element; running on the pool costs some 60 µs (~2 Mflop at this kernel's speed) and 10 µs a
     * task (see {@code VectorGemm}).
     */
    private static final GemmPartition.Tiling TILING = new GemmPartition.Tiling(ROW_TILE, COL_TILE, 64, MAX_COLS,
            0, 2, 2e6, 3e5);

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public void multiply(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                         float[] c, int cOff, int ldc, ImageColumns cColumns, boolean accumulate, float[] bias) {
        GemmPartition part = GemmPartition.of(m, n, k, TILING, workers.threads());
        part.run(workers, t -> block(a, aOff, lda, b, c, cOff, ldc, cColumns, accumulate, bias, k,
                part.rowStart(t), part.rowEnd(t), part.colStart(t), part.colEnd(t)));
    }

    @Override
    public boolean fused() {
        return false;
    }

    @Override
    public String description() {
        // Measured on DenseNet-201's shapes on Zen 5: ~40 GFLOP/s per core here, ~150 with the Vector API.
        return "scalar Java (add --add-modules " + Gemm.VECTOR_MODULE + " for the Vector API kernel, ~3x faster)";
    }

    /** Per-thread copies, grown on demand and kept for later calls (some 130 KiB). */
    private static final class Scratch {
        /** Row p of the task's current block of B, from column 0. */
        float[][] b = new float[K_BLOCK][0];
        /** One row of the task's block of C while it accumulates. */
        float[] c = new float[0];
    }

    /** {@code C[i0..i1, j0..j1] (+)= A[i0..i1, :] · B[:, j0..j1]}. */
    private static void block(float[] a, int aOff, int lda, RightMatrix b, float[] c, int cOff, int ldc,
                              ImageColumns cColumns, boolean accumulate, float[] bias, int k, int i0, int i1, int j0, int j1) {
        int w = j1 - j0;
        Scratch s = SCRATCH.get();
        if (s.c.length < w) {
            s.c = new float[w];
            for (int p = 0; p < K_BLOCK; p++) {
                s.b[p] = new float[w];
            }
        }
        float[][] rowsOfB = s.b;
        float[] acc = s.c;
        for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
            int kc = Math.min(K_BLOCK, k - k0);
            for (int p = 0; p < kc; p++) {
                b.copyRow(k0 + p, j0, w, rowsOfB[p], 0);
            }
            for (int i = i0; i < i1; i++) {
                int ai = aOff + i * lda + k0;
                if (accumulate || k0 > 0) {
                    cColumns.load(c, cOff, ldc, i, j0, w, acc, 0);
                } else {
                    Arrays.fill(acc, 0, w, bias == null ? 0f : bias[i]);
                }
                int p = 0;
                for (; p + 4 <= kc; p += 4) {
                    float x0 = a[ai + p];
                    float x1 = a[ai + p + 1];
                    float x2 = a[ai + p + 2];
                    float x3 = a[ai + p + 3];
                    float[] b0 = rowsOfB[p];
                    float[] b1 = rowsOfB[p + 1];
                    float[] b2 = rowsOfB[p + 2];
                    float[] b3 = rowsOfB[p + 3];
                    for (int j = 0; j < w; j++) {
                        float sum = acc[j];
                        sum += x0 * b0[j];
                        sum += x1 * b1[j];
                        sum += x2 * b2[j];
                        sum += x3 * b3[j];
                        acc[j] = sum;
                    }
                }
                for (; p < kc; p++) {
                    float x = a[ai + p];
                    float[] bp = rowsOfB[p];
                    for (int j = 0; j < w; j++) {
                        acc[j] += x * bp[j];
                    }
                }
                cColumns.store(acc, 0, c, cOff, ldc, i, j0, w);
            }
        }
    }
}
