package dev.backlight.cpu;

/**
 * Single-precision matrix multiply-accumulate on row-major arrays: {@code C += A · B}.
 *
 * <p>Each element of C is accumulated in increasing k order whatever the blocking and however the
 * work is split, which keeps results independent of the thread count. This is the plain-Java
 * kernel; the inner j loop is left to C2's auto-vectorisation.
 */
final class Gemm {
    /** Rows of C per parallel task. */
    static final int ROW_BLOCK = 16;
    /** Columns of C per parallel task (a few KB of C and B rows stay in L1). */
    static final int COL_BLOCK = 256;
    private static final int K_BLOCK = 128;

    private Gemm() {
    }

    /**
     * Computes {@code C[m×n] += A[m×k] · B[k×n]} over all rows and columns, in parallel.
     */
    static void multiplyAdd(Workers workers, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int rowBlocks = (m + ROW_BLOCK - 1) / ROW_BLOCK;
        int colBlocks = (n + COL_BLOCK - 1) / COL_BLOCK;
        workers.run(rowBlocks * colBlocks, t -> {
            int rb = t / colBlocks;
            int cb = t % colBlocks;
            block(a, aOff, lda, b, bOff, ldb, c, cOff, ldc, k,
                    rb * ROW_BLOCK, Math.min(m, (rb + 1) * ROW_BLOCK), cb * COL_BLOCK, Math.min(n, (cb + 1) * COL_BLOCK));
        });
    }

    /** {@code C[i0..i1, j0..j1] += A[i0..i1, :] · B[:, j0..j1]}, single-threaded. */
    static void block(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
                      int k, int i0, int i1, int j0, int j1) {
        for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
            int k1 = Math.min(k, k0 + K_BLOCK);
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                int c0 = cOff + i * ldc;
                int c1 = c0 + ldc;
                int c2 = c1 + ldc;
                int c3 = c2 + ldc;
                int a0 = aOff + i * lda;
                for (int kk = k0; kk < k1; kk++) {
                    float x0 = a[a0 + kk];
                    float x1 = a[a0 + lda + kk];
                    float x2 = a[a0 + 2 * lda + kk];
                    float x3 = a[a0 + 3 * lda + kk];
                    int br = bOff + kk * ldb;
                    for (int j = j0; j < j1; j++) {
                        float bv = b[br + j];
                        c[c0 + j] += x0 * bv;
                        c[c1 + j] += x1 * bv;
                        c[c2 + j] += x2 * bv;
                        c[c3 + j] += x3 * bv;
                    }
                }
            }
            for (; i < i1; i++) {
                int ci = cOff + i * ldc;
                int ai = aOff + i * lda;
                for (int kk = k0; kk < k1; kk++) {
                    float x = a[ai + kk];
                    int br = bOff + kk * ldb;
                    for (int j = j0; j < j1; j++) {
                        c[ci + j] += x * b[br + j];
                    }
                }
            }
        }
    }
}
