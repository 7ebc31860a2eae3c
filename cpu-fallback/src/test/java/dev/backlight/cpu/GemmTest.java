package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Gemm}: {@code C += A·B} against a double-precision triple loop, bit for bit against the
 * chain each kernel promises ({@link GemmKernel}), identical bits for any thread count, and the
 * kernel choice. Surefire runs this class three times: with {@code --add-modules jdk.incubator.vector}
 * (system property {@code backlight.test.gemm=vector}), at the widest vectors the host has; again with
 * {@code -XX:UseAVX=2}, which caps them at 256 bits (8 floats, {@code backlight.test.gemm.lanes=8}), so
 * that an AVX-512 host tests both widths; and without the module ({@code scalar}).
 */
class GemmTest {
    /** Unit roundoff of float32. */
    private static final double U = 0x1p-24;
    /**
     * Relative L2 error allowed against the exact product. A float32 sum of k products rounds k
     * times; with random signs the errors add like a random walk, about sqrt(k)·u·‖C‖ (2e-6 for
     * k = 1152), and even the worst case k·u (7e-5 there) is only reached when every rounding goes
     * the same way. 1e-5 leaves a margin over the random walk for every k used here.
     */
    private static final double REL_L2 = 1e-5;

    /** A kernel under test; {@code toString} names it in test reports. */
    record Kernel(String name, GemmKernel impl) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The scalar kernel always; the Vector API one where this JVM has the module. */
    static List<Kernel> kernels() {
        List<Kernel> list = new ArrayList<>();
        list.add(new Kernel("scalar", new ScalarGemm()));
        if (Gemm.vectorModulePresent()) {
            list.add(new Kernel("vector", Gemm.loadVectorKernel()));
        }
        return list;
    }

    /**
     * Shapes m×n×k: sizes of 1; row counts of every remainder modulo the register tiles (6 and 4
     * rows); column counts around the vector widths (4, 8 or 16 floats) and tile widths (2 or 3
     * vectors); k around the k block (256); DenseNet shapes; and blocks large enough to be split into
     * several tasks.
     */
    static Stream<int[]> shapes() {
        return Stream.of(
                new int[] {1, 1, 1}, new int[] {1, 1, 7}, new int[] {1, 17, 1}, new int[] {5, 1, 3},
                new int[] {3, 5, 2}, new int[] {4, 48, 16}, new int[] {4, 47, 9}, new int[] {4, 49, 9},
                new int[] {6, 48, 40}, new int[] {12, 50, 300}, new int[] {10, 24, 5}, new int[] {14, 31, 12},
                new int[] {7, 33, 300}, new int[] {9, 95, 256}, new int[] {8, 97, 257}, new int[] {13, 16, 513},
                new int[] {32, 49, 1152}, new int[] {64, 196, 128}, new int[] {130, 250, 70},
                new int[] {2, 1000, 192}, new int[] {1000, 8, 64}, new int[] {37, 131, 1});
    }

    static Stream<Arguments> kernelsAndShapes() {
        return kernels().stream().flatMap(kernel -> shapes().map(s -> Arguments.of(kernel, s[0], s[1], s[2])));
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3}")
    @MethodSource("kernelsAndShapes")
    void matchesExactProductAndTheChainItPromises(Kernel kernel, int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(31L * m + 17L * n + k);
        // Sub-matrix views: offsets and leading dimensions larger than the rows.
        Matrix a = Matrix.random(rnd, m, k, 3, k + 5);
        Matrix b = Matrix.random(rnd, k, n, 11, n + 2);
        Matrix c = Matrix.random(rnd, m, n, 7, n + 9);
        float[] before = c.data.clone();
        try (Workers workers = new Workers(2)) {
            kernel.impl.multiplyAdd(workers, m, n, k, a.data, a.off, a.ld, b.data, b.off, b.ld, c.data, c.off, c.ld);
        }
        double errSq = 0;
        double refSq = 0;
        double gamma = (k + 1) * U / (1 - (k + 1) * U);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = before[c.at(i, j)];
                double magnitude = Math.abs(exact);
                float chain = before[c.at(i, j)];
                for (int p = 0; p < k; p++) {
                    float x = a.data[a.at(i, p)];
                    float y = b.data[b.at(p, j)];
                    exact += (double) x * y;
                    magnitude += Math.abs((double) x * y);
                    chain = kernel.impl.fused() ? Math.fma(x, y, chain) : chain + x * y;
                }
                float got = c.data[c.at(i, j)];
                if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(chain)) {
                    fail(kernel + " C[" + i + "][" + j + "] = " + got + ", its k-ordered "
                            + (kernel.impl.fused() ? "fma" : "multiply-add") + " chain gives " + chain);
                }
                // Higham's bound for any order of summation: |error| <= gamma_(k+1) · (|c| + sum |a·b|).
                if (Math.abs(got - exact) > gamma * magnitude) {
                    fail(kernel + " C[" + i + "][" + j + "] = " + got + ", exact " + exact + ", beyond "
                            + gamma * magnitude);
                }
                errSq += (got - exact) * (got - exact);
                refSq += exact * exact;
            }
        }
        assertTrue(Math.sqrt(errSq) <= REL_L2 * Math.sqrt(refSq),
                kernel + " relative L2 error " + Math.sqrt(errSq / refSq));
        c.assertOutsideUnchanged(before);
    }

    /** Overwrite mode: C's old contents (NaN here) are never read; each chain starts from its row's bias. */
    @ParameterizedTest(name = "{0} {1}x{2}x{3}")
    @MethodSource("kernelsAndShapes")
    void overwriteStartsEachChainFromItsBiasAndNeverReadsC(Kernel kernel, int m, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(7L * m + 13L * n + k);
        Matrix a = Matrix.random(rnd, m, k, 2, k + 1);
        Matrix b = Matrix.random(rnd, k, n, 5, n + 4);
        Matrix c = Matrix.random(rnd, m, n, 3, n + 2);
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(c.data, c.at(i, 0), c.at(i, 0) + n, Float.NaN);
        }
        float[] before = c.data.clone();
        float[] bias = (m + n) % 2 == 0 ? null : new float[m];
        if (bias != null) {
            for (int i = 0; i < m; i++) {
                bias[i] = (float) rnd.nextGaussian();
            }
        }
        try (Workers workers = new Workers(2)) {
            kernel.impl.multiply(workers, m, n, k, a.data, a.off, a.ld, new DenseMatrix(b.data, b.off, b.ld),
                    c.data, c.off, c.ld, false, bias);
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float chain = bias == null ? 0f : bias[i];
                for (int p = 0; p < k; p++) {
                    float x = a.data[a.at(i, p)];
                    float y = b.data[b.at(p, j)];
                    chain = kernel.impl.fused() ? Math.fma(x, y, chain) : chain + x * y;
                }
                float got = c.data[c.at(i, j)];
                if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(chain)) {
                    fail(kernel + " C[" + i + "][" + j + "] = " + got + ", the chain from "
                            + (bias == null ? "0" : "bias " + bias[i]) + " gives " + chain);
                }
            }
        }
        c.assertOutsideUnchanged(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void bitIdenticalForAnyThreadCount(Kernel kernel) {
        int[][] shapes = {{128, 784, 256}, {130, 250, 300}, {32, 49, 1152}, {1152, 196, 32}, {1, 1000, 1920}, {1000, 8, 96}};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            SplittableRandom rnd = new SplittableRandom(5);
            Matrix a = Matrix.random(rnd, m, k, 1, k);
            Matrix b = Matrix.random(rnd, k, n, 2, n + 3);
            Matrix c0 = Matrix.random(rnd, m, n, 0, n);
            float[] reference = null;
            for (int threads : new int[] {1, 2, 3, 5}) {
                float[] c = c0.data.clone();
                try (Workers workers = new Workers(threads)) {
                    kernel.impl.multiplyAdd(workers, m, n, k, a.data, a.off, a.ld, b.data, b.off, b.ld, c, 0, n);
                }
                if (reference == null) {
                    reference = c;
                    assertTrue(!java.util.Arrays.equals(reference, c0.data), "C was not updated");
                } else {
                    assertArrayEquals(reference, c, kernel + " " + m + "x" + n + "x" + k + " with " + threads + " threads");
                }
            }
        }
    }

    @Test
    void usesTheVectorKernelExactlyWhenTheModuleIsPresent() {
        boolean present = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        String description = Gemm.kernelDescription();
        // Set by the surefire executions in pom.xml; absent when run from an IDE.
        String expected = System.getProperty("backlight.test.gemm", present ? "vector" : "scalar");
        assertEquals(expected.equals("vector"), present, "surefire execution " + expected + " but module present: " + present);
        if (present) {
            assertTrue(description.startsWith("Vector API, "), description);
            assertTrue(Gemm.kernel().getClass().getSimpleName().equals("VectorGemm"), description);
        } else {
            assertTrue(description.startsWith("scalar"), description);
            assertTrue(description.contains("--add-modules jdk.incubator.vector"), description);
            assertTrue(Gemm.kernel() instanceof ScalarGemm, description);
        }
        assertEquals(description, CpuGemm.kernelDescription());
    }

    /**
     * The Vector API kernel's vectors are as wide as the registers HotSpot was allowed to use: its
     * {@code UseAVX} level (3: AVX-512, 512 bits, 16 floats; 2: AVX2, 256 bits, 8 floats), read from
     * the VM, not from the Vector API. Where the execution asks for a width
     * ({@code backlight.test.gemm.lanes}), that width ran. Prints the kernel into the test's output
     * file ({@code dev.backlight.cpu.GemmTest-output.txt} in each execution's report folder).
     */
    @Test
    void theVectorKernelIsAsWideAsTheJvmsVectorRegisters() {
        assumeTrue(Gemm.kernel().getClass().getSimpleName().equals("VectorGemm"), "the scalar kernel runs here");
        String description = Gemm.kernelDescription();
        System.out.println("GEMM kernel in this run: " + description);
        int useAvx = hotSpotIntOption("UseAVX");
        String asked = System.getProperty("backlight.test.gemm.lanes");
        assumeTrue(useAvx >= 2 || asked == null, "this host has no AVX2 (UseAVX=" + useAvx
                + "): the execution that asks for " + asked + " lanes cannot get them");
        assumeTrue(useAvx >= 2, "UseAVX=" + useAvx + ": no expected width below AVX2");
        int lanes = useAvx >= 3 ? 16 : 8;
        if (asked != null) {
            assertEquals(Integer.parseInt(asked), lanes, "UseAVX=" + useAvx + " in the execution that asks for " + asked);
        }
        assertTrue(description.startsWith("Vector API, " + lanes + " floats/vector, "),
                "UseAVX=" + useAvx + " gives " + lanes + " floats per vector: " + description);
    }

    /** An integer HotSpot option such as UseAVX, or -1 where the VM does not say. */
    private static int hotSpotIntOption(String name) {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return bean == null ? -1 : Integer.parseInt(bean.getVMOption(name).getValue());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Test
    void theSelectedKernelMultiplies() {
        // CpuGemm (what the backend calls) against the exact product in double and against the
        // k-ordered chain the selected kernel promises: independent of the kernel's own output.
        SplittableRandom rnd = new SplittableRandom(9);
        int m = 6;
        int n = 21;
        int k = 35;
        Matrix a = Matrix.random(rnd, m, k, 0, k);
        Matrix b = Matrix.random(rnd, k, n, 0, n);
        Matrix c = Matrix.random(rnd, m, n, 0, n);
        float[] before = c.data.clone();
        try (CpuGemm gemm = new CpuGemm(3)) {
            gemm.multiplyAdd(m, n, k, a.data, 0, k, b.data, 0, n, c.data, 0, n);
        }
        boolean fused = Gemm.kernel().fused();
        double gamma = (k + 1) * U / (1 - (k + 1) * U);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = before[i * n + j];
                double magnitude = Math.abs(exact);
                float chain = before[i * n + j];
                for (int p = 0; p < k; p++) {
                    float x = a.data[p + i * k];
                    float y = b.data[j + p * n];
                    exact += (double) x * y;
                    magnitude += Math.abs((double) x * y);
                    chain = fused ? Math.fma(x, y, chain) : chain + x * y;
                }
                float got = c.data[i * n + j];
                assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(got),
                        "C[" + i + "][" + j + "] = " + got + ", the k-ordered chain gives " + chain);
                assertTrue(Math.abs(got - exact) <= gamma * magnitude, "C[" + i + "][" + j + "] = " + got + ", exact " + exact);
            }
        }
    }

    @Test
    void emptyProductsLeaveCUnchanged() {
        float[] c = {1, 2, 3, 4, 5, 6};
        try (CpuGemm gemm = new CpuGemm(2)) {
            gemm.multiplyAdd(2, 3, 0, new float[0], 0, 0, new float[0], 0, 3, c, 0, 3);
            gemm.multiplyAdd(0, 3, 4, new float[0], 0, 4, new float[12], 0, 3, c, 0, 3);
            gemm.multiplyAdd(2, 0, 4, new float[8], 0, 4, new float[0], 0, 0, c, 0, 3);
        }
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c);
    }

    @Test
    void badArgumentsAreNamed() {
        try (CpuGemm gemm = new CpuGemm(1)) {
            float[] a = new float[6];
            float[] b = new float[12];
            float[] c = new float[8];
            var negative = assertThrows(IllegalArgumentException.class,
                    () -> gemm.multiplyAdd(-1, 4, 3, a, 0, 3, b, 0, 4, c, 0, 4));
            assertTrue(negative.getMessage().contains("m=-1"), negative.getMessage());
            var ld = assertThrows(IllegalArgumentException.class,
                    () -> gemm.multiplyAdd(2, 4, 3, a, 0, 2, b, 0, 4, c, 0, 4));
            assertTrue(ld.getMessage().contains("GEMM A: leading dimension 2"), ld.getMessage());
            var tooShort = assertThrows(IllegalArgumentException.class,
                    () -> gemm.multiplyAdd(2, 4, 3, a, 0, 3, b, 1, 4, c, 0, 4));
            assertTrue(tooShort.getMessage().contains("GEMM B: 3×4"), tooShort.getMessage());
            assertThrows(IllegalArgumentException.class, () -> gemm.multiplyAdd(2, 4, 3, a, 0, 3, b, 0, 4, c, -1, 4));
            assertThrows(IllegalArgumentException.class, () -> new CpuGemm(0));
        }
    }

    /** A rows×cols view into a larger array, at an offset, with a leading dimension; the rest is guard. */
    private record Matrix(float[] data, int off, int ld, int rows, int cols) {
        static Matrix random(SplittableRandom rnd, int rows, int cols, int off, int ld) {
            float[] data = new float[off + rows * ld + 5];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            return new Matrix(data, off, ld, rows, cols);
        }

        int at(int i, int j) {
            return off + i * ld + j;
        }

        void assertOutsideUnchanged(float[] before) {
            for (int x = 0; x < data.length; x++) {
                int i = (x - off) / ld;
                int j = (x - off) % ld;
                boolean inside = x >= off && i < rows && j < cols;
                if (!inside && Float.floatToRawIntBits(data[x]) != Float.floatToRawIntBits(before[x])) {
                    fail("element " + x + " outside the " + rows + "×" + cols + " view was written");
                }
            }
        }
    }
}
