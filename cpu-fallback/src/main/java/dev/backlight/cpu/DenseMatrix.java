package dev.backlight.cpu;

/** A row-major matrix in an array: element (p, j) at {@code array[offset + p * ld + j]}. */
record DenseMatrix(float[] array, int offset, int ld) implements RightMatrix {
    @Override
    public void copyRow(int p, int j0, int len, float[] dst, int dstOff) {
        System.arraycopy(array, offset + p * ld + j0, dst, dstOff, len);
    }

    @Override
    public void checkFits(int rows, int cols) {
        Gemm.checkMatrix("B", array, offset, ld, rows, cols);
    }
}
