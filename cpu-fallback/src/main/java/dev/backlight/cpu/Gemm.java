package dev.backlight.cpu;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Single-precision matrix multiply on row-major arrays, {@code C += A · B} or {@code C = bias + A · B}:
 * the work of every convolution and of the classifier.
 *
 * <p>Two kernels. {@code VectorGemm}, on the Vector API, runs when the JVM has the incubator module
 * ({@code --add-modules jdk.incubator.vector}); a library cannot add that flag for its users, so
 * without it {@link ScalarGemm}, plain Java, runs instead, and a log line says what the flag would
 * bring. The choice is made once per JVM; the system property {@value #PROPERTY} ({@code vector} or
 * {@code scalar}) overrides it. Only {@link #loadVectorKernel()} names {@code VectorGemm}, by
 * reflection, so no class that refers to {@code jdk.incubator.vector} is loaded without the module.
 *
 * <p>Results are bit-identical for any thread count: each kernel computes every element of C by one
 * chain over k in increasing order whatever tile, block or task it falls in (see {@link GemmKernel}).
 * The two kernels differ in the last bits (fused multiply-add or not).
 */
final class Gemm {
    /** System property that forces a kernel: {@code vector} or {@code scalar}. */
    static final String PROPERTY = "backlight.cpu.gemm";
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final Logger LOG = System.getLogger(Gemm.class.getName());
    private static final GemmKernel KERNEL = select();

    private Gemm() {
    }

    /**
     * Computes {@code C[m×n] += A[m×k] · B[k×n]}, in parallel on {@code workers}. Each matrix is
     * row-major at its offset with its leading dimension (row stride). C must not overlap A or B.
     *
     * @throws IllegalArgumentException if a size is negative, a leading dimension is smaller than its
     *     row length, or a matrix does not fit in its array
     */
    static void multiplyAdd(Workers workers, int m, int n, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        multiplyAdd(workers, m, n, k, a, aOff, lda, new DenseMatrix(b, bOff, ldb), c, cOff, ldc);
    }

    /** {@code C[m×n] += A[m×k] · B[k×n]} with B read through {@code b} (an im2col view, say). */
    static void multiplyAdd(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                            float[] c, int cOff, int ldc) {
        run(workers, m, n, k, a, aOff, lda, b, c, cOff, ldc, ImageColumns.single(n), true, null);
    }

    /**
     * {@code C[m×n] += A[m×k] · B[k×n]} with C's columns spread over a batch of images as
     * {@code cColumns} says (B then usually a {@link BatchedMatrix}).
     */
    static void multiplyAdd(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                            float[] c, int cOff, int ldc, ImageColumns cColumns) {
        run(workers, m, n, k, a, aOff, lda, b, c, cOff, ldc, cColumns, true, null);
    }

    /**
     * {@code C[m×n] = bias + A[m×k] · B[k×n]}, {@code bias[i]} added to row i (none if null): C is
     * overwritten, never read, and each element's chain starts from its bias, so that a convolution
     * needs no separate pass to fill its output first.
     *
     * @throws IllegalArgumentException as {@link #multiplyAdd}, or if the bias has fewer than m values
     */
    static void multiply(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                         float[] bias, float[] c, int cOff, int ldc) {
        multiply(workers, m, n, k, a, aOff, lda, b, bias, c, cOff, ldc, ImageColumns.single(n));
    }

    /** {@code C[m×n] = bias + A[m×k] · B[k×n]} with C's columns spread over a batch of images. */
    static void multiply(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                         float[] bias, float[] c, int cOff, int ldc, ImageColumns cColumns) {
        if (bias != null && bias.length < m) {
            throw new IllegalArgumentException("GEMM bias has " + bias.length + " values for " + m + " rows");
        }
        run(workers, m, n, k, a, aOff, lda, b, c, cOff, ldc, cColumns, false, bias);
    }

    private static void run(Workers workers, int m, int n, int k, float[] a, int aOff, int lda, RightMatrix b,
                            float[] c, int cOff, int ldc, ImageColumns cColumns, boolean accumulate, float[] bias) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("GEMM sizes must not be negative: m=" + m + ", n=" + n + ", k=" + k);
        }
        if (m >= 0 && n >= 0) {
            cColumns.checkFits(c, cOff, ldc, m, n);
        }
        checkMatrix("A", a, aOff, lda, m, k);
        if (k > 0 && n > 0) {
            b.checkFits(k, n);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    cColumns.fill(c, cOff, ldc, i, 0, n, bias == null ? 0f : bias[i]);
                }
            }
            return;
        }
        KERNEL.multiply(workers, m, n, k, a, aOff, lda, b, c, cOff, ldc, cColumns, accumulate, bias);
    }

    /** The kernel in use, for logs and reports: {@code "Vector API, 8 floats/vector, FMA, …"} or scalar. */
    static String kernelDescription() {
        return KERNEL.description();
    }

    /** The kernel in use. */
    static GemmKernel kernel() {
        return KERNEL;
    }

    /** Whether this JVM has the Vector API module. */
    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * A new Vector API kernel; call only when {@link #vectorModulePresent()}. Never throws for want of
     * the module: a {@link LinkageError} (or any failure to set it up) comes back as an
     * {@link IllegalStateException} with the cause kept.
     */
    static GemmKernel loadVectorKernel() {
        try {
            return Class.forName(Gemm.class.getPackageName() + ".VectorGemm")
                    .asSubclass(GemmKernel.class).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new IllegalStateException("cannot set up the Vector API GEMM kernel: " + e, e);
        }
    }

    /**
     * Whether the JVM compiles fused multiply-adds to one instruction ({@code -XX:+UseFMA}, on by
     * default where the CPU has FMA); without it each one is emulated, far slower than a multiply and
     * an add. Asked of HotSpot; {@code guess} where it cannot answer (another VM, or a runtime linked
     * without {@code jdk.management}).
     */
    static boolean hardwareFma(boolean guess) {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null ? guess : Boolean.parseBoolean(bean.getVMOption("UseFMA").getValue());
        } catch (RuntimeException | LinkageError e) {
            return guess;
        }
    }

    private static GemmKernel select() {
        String forced = System.getProperty(PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (!forced.isEmpty() && !forced.equals("vector") && !forced.equals("scalar")) {
            LOG.log(Level.WARNING, "ignoring -D{0}={1}: expected vector or scalar", PROPERTY, forced);
            forced = "";
        }
        if (forced.equals("scalar")) {
            GemmKernel kernel = new ScalarGemm();
            LOG.log(Level.DEBUG, "CPU GEMM kernel: {0} (chosen by -D{1}=scalar)", kernel.description(), PROPERTY);
            return kernel;
        }
        if (!vectorModulePresent()) {
            // The description says how much faster the flag would make it.
            GemmKernel kernel = new ScalarGemm();
            LOG.log(forced.isEmpty() ? Level.DEBUG : Level.WARNING, "CPU GEMM kernel: {0}", kernel.description());
            return kernel;
        }
        try {
            GemmKernel kernel = loadVectorKernel();
            LOG.log(Level.DEBUG, "CPU GEMM kernel: {0}", kernel.description());
            return kernel;
        } catch (IllegalStateException e) {
            GemmKernel kernel = new ScalarGemm();
            LOG.log(Level.WARNING, "CPU GEMM kernel: " + kernel.description()
                    + "; the Vector API module is present but its kernel failed to load", e);
            return kernel;
        }
    }

    /** Throws unless {@code rows × cols} at {@code offset} with row stride {@code ld} fits in {@code array}. */
    static void checkMatrix(String name, float[] array, int offset, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw new IllegalArgumentException("GEMM " + name + ": leading dimension " + ld
                    + " is smaller than its " + cols + " columns");
        }
        long end = offset + (long) (rows - 1) * ld + cols;
        if (offset < 0 || end > array.length) {
            throw new IllegalArgumentException("GEMM " + name + ": " + rows + "×" + cols + " with leading dimension "
                    + ld + " at offset " + offset + " needs elements up to " + end + ", array has " + array.length);
        }
    }
}
