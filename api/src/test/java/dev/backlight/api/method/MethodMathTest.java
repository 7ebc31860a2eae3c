package dev.backlight.api.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MethodMathTest {
    @Test
    void bilinearResizeMatchesPyTorchAlignCornersFalse() {
        // Expected values printed by torch 1.13: F.interpolate(x, size, mode="bilinear", align_corners=False).
        Tensor x = Tensor.of(Shape.of(1, 1, 2, 2), new float[] {1, 2, 3, 4});
        assertArrayEquals(new float[] {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
                MapMath.resizeBilinear(x, 4, 4).data(), 1e-6f);
        Tensor y = Tensor.of(Shape.of(1, 1, 2, 3), new float[] {0, 1, 2, 3, 4, 5});
        assertArrayEquals(new float[] {0, 0.4f, 1, 1.6f, 2, 1.5f, 1.9f, 2.5f, 3.1f, 3.5f, 3, 3.4f, 4, 4.6f, 5},
                MapMath.resizeBilinear(y, 3, 5).data(), 1e-6f);
    }

    @Test
    void quadratureWeightsSumToOneAndGaussLegendreIsExactForPolynomials() {
        for (Quadrature q : Quadrature.values()) {
            for (int m : new int[] {2, 3, 7, 32}) {
                assertEquals(1.0, Arrays.stream(q.weights(m)).sum(), 1e-12, q + " " + m);
                for (double a : q.nodes(m)) {
                    assertEquals(0.5, a, 0.5 + 1e-12);
                }
            }
        }
        for (int m : new int[] {1, 2, 5, 16, 33}) {
            double[] a = Quadrature.GAUSS_LEGENDRE.nodes(m);
            double[] w = Quadrature.GAUSS_LEGENDRE.weights(m);
            int degree = 2 * m - 1;
            double integral = 0;
            for (int j = 0; j < m; j++) {
                integral += w[j] * Math.pow(a[j], degree);
            }
            assertEquals(1.0 / (degree + 1), integral, 1e-12, "m=" + m);
        }
        assertThrows(IllegalArgumentException.class, () -> Quadrature.RIEMANN_TRAPEZOID.nodes(1));
    }

    @Test
    void baselines() {
        Tensor x = Tensor.of(Shape.of(1, 3, 1, 2), new float[] {1, 2, 3, 4, 5, 6});
        float[] black = Baseline.black(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}).baselineFor(x).data();
        assertEquals(-0.485f / 0.229f, black[0], 1e-6f);
        assertEquals(-0.406f / 0.225f, black[5], 1e-6f);
        assertArrayEquals(new float[6], Baseline.zeros().baselineFor(x).data());
        Tensor flat = Tensor.of(Shape.of(1, 1, 3, 3), new float[] {2, 2, 2, 2, 2, 2, 2, 2, 2});
        assertArrayEquals(flat.data(), Baseline.blurred(1.5).baselineFor(flat).data(), 1e-6f, "a constant image is its own blur");
    }
}
