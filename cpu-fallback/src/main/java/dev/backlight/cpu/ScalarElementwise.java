package dev.backlight.cpu;

/**
 * {@link ElementwiseKernel} in plain Java. The rules' loops are branch-free ({@link #positive}):
 * with a comparison per element, which the data make unpredictable, they ran 3 to 4 times slower.
 */
final class ScalarElementwise implements ElementwiseKernel {
    /**
     * 1 where {@code v > 0}, 0 where {@code v <= 0}, without a branch. {@code v · 2^254} is at least
     * {@code 2^105} for the least positive float, so clamping to [0, 1] gives exactly 1; NaN gives
     * NaN.
     */
    static float positive(float v) {
        return Math.min(Math.max(v * 0x1p127f * 0x1p127f, 0f), 1f);
    }

    @Override
    public void scaleShift(float a, float b, boolean relu, float[] x, int xo, float[] y, int yo, int len) {
        if (relu) {
            for (int p = 0; p < len; p++) {
                y[yo + p] = Math.max(a * x[xo + p] + b, 0f);
            }
        } else {
            for (int p = 0; p < len; p++) {
                y[yo + p] = a * x[xo + p] + b;
            }
        }
    }

    @Override
    public void guided(float a, float b, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        for (int p = 0; p < len; p++) {
            dx[dxo + p] += a * Math.max(dy[dyo + p], 0f) * positive(a * x[xo + p] + b);
        }
    }

    @Override
    public void vanilla(float a, float b, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int len) {
        for (int p = 0; p < len; p++) {
            dx[dxo + p] += a * dy[dyo + p] * positive(a * x[xo + p] + b);
        }
    }

    @Override
    public void deconvnet(float a, float[] dy, int dyo, float[] dx, int dxo, int len) {
        for (int p = 0; p < len; p++) {
            dx[dxo + p] += a * Math.max(dy[dyo + p], 0f);
        }
    }

    @Override
    public void scale(float a, float[] dy, int dyo, float[] dx, int dxo, int len) {
        for (int p = 0; p < len; p++) {
            dx[dxo + p] += a * dy[dyo + p];
        }
    }
}
