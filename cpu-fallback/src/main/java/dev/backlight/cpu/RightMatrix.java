package dev.backlight.cpu;

/**
 * The right-hand matrix B of a GEMM ({@code C = A · B}), k rows by n columns, as the kernels read
 * it: a run of one row at a time, copied into their packed panels. Either a row-major array
 * ({@link DenseMatrix}) or a view that builds its rows on the fly ({@link Im2colMatrix}), so that
 * a convolution need not materialise its im2col matrix.
 *
 * <p>Implementations are immutable and may be read by several threads at once.
 */
interface RightMatrix {
    /** Copies {@code B[p][j0 .. j0 + len)} to {@code dst[dstOff .. dstOff + len)}. */
    void copyRow(int p, int j0, int len, float[] dst, int dstOff);

    /** Whether the matrix has {@code rows × cols} elements to read (for argument checks). */
    void checkFits(int rows, int cols);
}
