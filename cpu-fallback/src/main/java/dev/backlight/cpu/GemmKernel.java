package dev.backlight.cpu;

/**
 * One implementation of {@link Gemm#multiplyAdd}: {@code C[m×n] += A[m×k] · B[k×n]} on row-major
 * matrices. Callers have checked the arguments; m, n and k are positive.
 *
 * <p>Contract shared by all implementations: every element of C is computed by one chain over
 * {@code p = 0 … k-1} in increasing order, starting from its value on entry: {@code c = fma(a[i][p],
 * b[p][j], c)} when {@link #fused()}, {@code c = c + a[i][p] * b[p][j]} (product rounded to float,
 * then sum) otherwise. Nothing else may depend on where the element falls (register tile, edge,
 * cache block, task), so the result is the same for any thread count and any blocking.
 */
interface GemmKernel {
    void multiplyAdd(Workers workers, int m, int n, int k, float[] a, int aOff, int lda,
                     float[] b, int bOff, int ldb, float[] c, int cOff, int ldc);

    /** Whether each step is a fused multiply-add (one rounding) rather than a multiply then an add. */
    boolean fused();

    /** For logs and reports, for example {@code "Vector API, 8 floats/vector, FMA"}. */
    String description();
}
