package dev.backlight.cpu;

/**
 * The element-wise loops of batch norm + ReLU, forward and backward, on runs of one channel. Two
 * implementations, chosen with the GEMM kernel ({@link Elementwise#KERNEL}): plain Java, and the
 * Vector API where the JVM has it. C2 does not vectorise the plain loops (it cannot tell that the
 * input and output arrays, read at different offsets, are distinct), so the Vector API ones run
 * several times faster.
 *
 * <p>Both compute {@code v = a·x + b} as a product rounded to float, then a sum (never a fused
 * multiply-add), so that a backward pass recomputes exactly the ReLU input its forward pass saw.
 * Their results agree except that a zero gradient may be +0 in one and -0 in the other.
 */
interface ElementwiseKernel {
    /** {@code y[yo+p] = max(a·x[xo+p] + b, 0)} ({@link Math#max}: NaN stays NaN), or without the max. */
    void scaleShift(float a, float b, boolean relu, float[] x, int xo, float[] y, int yo, int len);

    /** Guided Backprop: {@code dx[dxo+p] += v > 0 && dy > 0 ? a·dy : 0}, {@code v = a·x[xo+p] + b}. */
    void guided(float a, float b, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len);

    /** Vanilla gradient: {@code dx[dxo+p] += v > 0 ? a·dy : 0}, {@code v = a·x[xo+p] + b}. */
    void vanilla(float a, float b, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len);

    /** Deconvnet: {@code dx[dxo+p] += dy > 0 ? a·dy : 0}. */
    void deconvnet(float a, float[] dy, int dyo, float[] dx, int dxo, int len);

    /** Plain batch norm backward: {@code dx[dxo+p] += a·dy}. */
    void scale(float a, float[] dy, int dyo, float[] dx, int dxo, int len);
}
