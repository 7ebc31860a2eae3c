package dev.backlight.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.GraphBuilder;
import dev.backlight.api.method.InputTimesGradient;
import dev.backlight.api.method.SmoothGrad;
import dev.backlight.api.method.Target;
import dev.backlight.conformance.Numerics;
import dev.backlight.densenet.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * VarGrad against a closed form: on the linear model {@code f_c(x) = Σ_k W[c,k] · mean(x_k) + b_c}
 * (global average pooling, then a linear layer) the gradient of class c at input element (k, p) is
 * {@code g = W[c,k] / (H·W)} whatever the input, so input × gradient of a noisy copy
 * {@code x + σz} is {@code (x + σz)·g} and its variance over the samples is {@code g²σ²} in
 * expectation ({@code (n-1)/n} of it for the population variance VarGrad takes over n samples).
 * The expected values come from the weights alone, not from any output of the method.
 */
class VarGradClosedFormTest {
    private static final int SAMPLES = 200;
    private static final double NOISE = 0.2;
    private static final int CLASS = 2;

    @Test
    void varGradOfInputTimesGradientOnALinearModelIsGSquaredSigmaSquared() {
        GraphBuilder g = new GraphBuilder("linear", 3, 10, 10);
        g.linear("fc", g.globalAvgPool("gap", 0), 5, true);
        Graph graph = g.build();
        Weights weights = RandomWeights.generate(graph, 21);
        float[] w = weights.get("fc.weight", Shape.of(5, 3)).data();
        Tensor x = Numerics.gaussian(Shape.of(1, 3, 10, 10), 22);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x.data()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double sigma = NOISE * (max - min);
        float[] varGrad;
        try (CpuBackend backend = new CpuBackend(2); CompiledModel model = backend.compile(graph, weights)) {
            varGrad = new SmoothGrad(new InputTimesGradient(), SmoothGrad.Variant.VARIANCE, NOISE, SAMPLES, 50, 4)
                    .attribute(model, x, Target.classes(CLASS)).map(0).data();
        }
        assertEquals(300, varGrad.length);
        // Each element's estimate is a sample variance of SAMPLES normal draws: ratio to its expectation
        // has a standard deviation of sqrt(2 / (n - 1)) = 0.10. The mean ratio over 300 elements has one of
        // 0.0058: the bound 0.05 is over eight of them; a single element may stray by 0.6 (six of its own).
        double sumRatio = 0;
        double worst = 0;
        for (int k = 0; k < 3; k++) {
            double gradient = w[CLASS * 3 + k] / 100.0;
            double expected = gradient * gradient * sigma * sigma * (SAMPLES - 1) / SAMPLES;
            for (int p = 0; p < 100; p++) {
                double ratio = varGrad[k * 100 + p] / expected;
                sumRatio += ratio;
                worst = Math.max(worst, Math.abs(ratio - 1));
            }
        }
        double meanRatio = sumRatio / 300;
        assertTrue(Math.abs(meanRatio - 1) < 0.05, "VarGrad / (g^2 sigma^2) averages " + meanRatio);
        assertTrue(worst < 0.6, "one element's VarGrad is off its closed form by a factor " + (1 + worst));
    }
}
