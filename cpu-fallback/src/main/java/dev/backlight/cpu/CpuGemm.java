package dev.backlight.cpu;

/**
 * The CPU backend's single-precision matrix multiply, public for benchmarks and diagnostics
 * ({@code backlight info}, throughput reports). Models compiled by {@link CpuBackend} use the same
 * kernel.
 *
 * <p>An instance owns its worker threads: close it when done. One instance may be used by one
 * thread at a time.
 */
public final class CpuGemm implements AutoCloseable {
    private final Workers workers;

    /** A multiplier with {@code threads} worker threads (at least 1). */
    public CpuGemm(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.workers = new Workers(threads);
    }

    /**
     * Which kernel this JVM uses, for example {@code "Vector API, 8 floats/vector, FMA"}, or the
     * scalar one with a hint on how to enable the faster one.
     */
    public static String kernelDescription() {
        return Gemm.kernelDescription();
    }

    /**
     * {@code C[m×n] += A[m×k] · B[k×n]} on row-major matrices stored at the given offsets with the
     * given leading dimensions (row strides). C must not overlap A or B. Results are bit-identical
     * for any thread count.
     *
     * @throws IllegalArgumentException if a size is negative, a leading dimension is smaller than
     *     its row length, or a matrix does not fit in its array
     */
    public void multiplyAdd(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc) {
        Gemm.multiplyAdd(workers, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    }

    @Override
    public void close() {
        workers.close();
    }
}
