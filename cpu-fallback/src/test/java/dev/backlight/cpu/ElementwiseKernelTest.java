package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link ElementwiseKernel}s against the rules' definitions, written with comparisons, on
 * seeded random runs of every length around the vector widths, at different offsets. A zero may
 * come out with either sign; everything else must match bit for bit.
 */
class ElementwiseKernelTest {
    record Kernel(String name, ElementwiseKernel impl) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Kernel> kernels() {
        List<Kernel> list = new ArrayList<>();
        list.add(new Kernel("scalar", new ScalarElementwise()));
        if (!(Gemm.kernel() instanceof ScalarGemm)) {
            list.add(new Kernel("vector", Elementwise.KERNEL));
        }
        return list;
    }

    static Stream<Arguments> kernelsAndLengths() {
        return kernels().stream().flatMap(k -> Stream.of(1, 3, 4, 8, 15, 16, 17, 33, 49, 196)
                .map(len -> Arguments.of(k, len)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndLengths")
    void matchesTheDefinitions(Kernel kernel, int len) {
        SplittableRandom rnd = new SplittableRandom(len);
        float a = (float) rnd.nextGaussian();
        float b = (float) rnd.nextGaussian() * 0.5f;
        float[] x = random(rnd, len + 5);
        float[] dy = random(rnd, len + 7);
        float[] dx0 = random(rnd, len + 3);
        int xo = 5;
        int dyo = 2;
        int dxo = 1;

        float[] y = new float[len + 4];
        kernel.impl.scaleShift(a, b, true, x, xo, y, 3, len);
        float[] yLinear = new float[len + 4];
        kernel.impl.scaleShift(a, b, false, x, xo, yLinear, 3, len);
        for (int p = 0; p < len; p++) {
            float v = a * x[xo + p] + b;
            same("relu forward", v > 0f ? v : 0f, y[3 + p], p);
            same("batch norm forward", v, yLinear[3 + p], p);
        }
        assertEquals(0f, y[0]);
        assertEquals(0f, y[len + 3]);

        float[] guided = dx0.clone();
        float[] vanilla = dx0.clone();
        float[] deconvnet = dx0.clone();
        float[] scaled = dx0.clone();
        kernel.impl.guided(a, b, x, xo, dy, dyo, guided, dxo, len);
        kernel.impl.vanilla(a, b, x, xo, dy, dyo, vanilla, dxo, len);
        kernel.impl.deconvnet(a, dy, dyo, deconvnet, dxo, len);
        kernel.impl.scale(a, dy, dyo, scaled, dxo, len);
        int passed = 0;
        for (int p = 0; p < len; p++) {
            float v = a * x[xo + p] + b;
            float g = dy[dyo + p];
            float d = dx0[dxo + p];
            same("guided", d + (v > 0f && g > 0f ? a * g : 0f), guided[dxo + p], p);
            same("vanilla", d + (v > 0f ? a * g : 0f), vanilla[dxo + p], p);
            same("deconvnet", d + (g > 0f ? a * g : 0f), deconvnet[dxo + p], p);
            same("scale", d + a * g, scaled[dxo + p], p);
            passed += v > 0f && g > 0f ? 1 : 0;
        }
        assertEquals(dx0[0], guided[0]);
        assertEquals(dx0[len + 1], guided[len + 1]);
        assertTrue(len < 16 || passed > 0 && passed < len, "the data exercise both sides of the mask");
    }

    @Test
    void positiveIsAStepFunction() {
        float[] zero = {0f, -0f, -Float.MIN_VALUE, -1f, Float.NEGATIVE_INFINITY, -Float.MAX_VALUE};
        float[] one = {Float.MIN_VALUE, Float.MIN_NORMAL, 1e-30f, 1f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};
        for (float v : zero) {
            assertEquals(0f, ScalarElementwise.positive(v), 0f, "positive(" + v + ")");
        }
        for (float v : one) {
            assertEquals(1f, ScalarElementwise.positive(v), 0f, "positive(" + v + ")");
        }
    }

    private static void same(String what, float want, float got, int p) {
        if (!(want == got)) {
            fail(what + " element " + p + ": " + got + ", expected " + want);
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }
}
