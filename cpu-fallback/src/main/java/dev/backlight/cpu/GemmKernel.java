package dev.backlight.cpu;

/**
 * One implementation of {@link Gemm}'s products on row-major matrices: {@code C[m×n] += A[m×k] ·
 * B[k×n]} (accumulate), or {@code C[m×n] = bias + A · B} with one bias value per row of C, zero
 * when {@code bias} is null (overwrite: C's old contents are never read). Callers have checked the
 * arguments; m, n and k are positive.
 *
 * <p>Contract shared by all implementations: every element of C is computed by one chain over
 * {@code p = 0 … k-1} in increasing order, starting from its value on entry (accumulate) or from
 * its row's bias (overwrite): {@code c = fma(a[i][p], b[p][j], c)} when {@link #fused()},
 * {@code c = c + a[i][p] * b[p][j]} (product rounded to float, then sum) otherwise. Nothing else
 * may depend on where the element falls (register tile, edge, cache block, task, image of a
 * batch) or on how B is stored, so the result is the same for any thread count, any blocking and any {@link RightMatrix}.
 */
interface GemmKernel {
    /** The product with C's columns placed as {@code cColumns} says (a plain matrix or a batch of images). */
    void multiply(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                  float[] c, int cOff, int ldc, ImageColumns cColumns, boolean accumulate, float[] bias);

    /** The product on a plain row-major C. */
    default void multiply(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                          float[] c, int cOff, int ldc, boolean accumulate, float[] bias) {
        multiply(workers, m, n, k, a, aOff, lda, b, c, cOff, ldc, ImageColumns.single(n), accumulate, bias);
    }

    /** {@code C += A · B} on arrays. */
    default void multiplyAdd(Workers workers, int m, int n, int k, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        multiply(workers, m, n, k, a, aOff, lda, new DenseMatrix(b, bOff, ldb), c, cOff, ldc, true, null);
    }

    /** Whether each step is a fused multiply-add (one rounding) rather than a multiply then an add. */
    boolean fused();

    /** For logs and reports, for example {@code "Vector API, 8 floats/vector, FMA"}. */
    String description();
}
