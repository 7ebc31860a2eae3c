package dev.backlight.densenet;

import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random weights for any graph, for tests and for trying the pipeline without a download.
 * They do not come from training: maps computed with them show nothing about real images.
 *
 * <p>Convolutions and the classifier get Kaiming-normal weights ({@code std = √(2 / fan_in)});
 * batch norms get non-trivial statistics: γ ∈ [0.5, 1.5), β ∈ [−0.1, 0.1), running mean ∈
 * [−0.1, 0.1), running variance ∈ [0.5, 1.5); biases ∈ [−0.05, 0.05). Each tensor draws from its
 * own stream derived from the seed and its name, so the values do not depend on the order or
 * the set of other parameters.
 */
public final class RandomWeights {
    private RandomWeights() {
    }

    /**
     * Generates weights for every parameter of {@code graph}. Tensors are drawn in parallel (each from
     * its own stream, so the values are those of a sequential draw).
     */
    public static Weights generate(Graph graph, long seed) {
        List<Parameter> parameters = graph.parameters();
        List<Tensor> drawn = parameters.parallelStream().map(p -> draw(p, seed)).toList();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            tensors.put(parameters.get(i).name(), drawn.get(i));
        }
        return Weights.of(tensors, "random:" + seed);
    }

    private static Tensor draw(Parameter p, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + p.name().hashCode());
        float[] v = new float[p.shape().size()];
        switch (p.role()) {
            case CONV_WEIGHT:
            case LINEAR_WEIGHT: {
                int fanIn = v.length / p.shape().dim(0);
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (gaussian(rnd) * std);
                }
                break;
            }
            case BN_WEIGHT:
            case BN_RUNNING_VAR:
                fill(v, rnd, 0.5, 1.5);
                break;
            case BN_BIAS:
            case BN_RUNNING_MEAN:
                fill(v, rnd, -0.1, 0.1);
                break;
            default:
                fill(v, rnd, -0.05, 0.05);
        }
        return Tensor.of(p.shape(), v);
    }

    private static void fill(float[] v, SplittableRandom rnd, double lo, double hi) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(lo, hi);
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
