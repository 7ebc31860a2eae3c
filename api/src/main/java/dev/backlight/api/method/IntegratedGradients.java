package dev.backlight.api.method;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.rule.BuiltinRule;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Integrated Gradients (Sundararajan et al. 2017):
 * {@code (x − x') ⊙ ∫₀¹ ∇f(x' + α(x − x')) dα}, the integral taken by a {@link Quadrature} rule
 * with {@code steps} points, {@code stepBatch} points per image in one batch (so large step counts
 * never need more memory than that).
 *
 * <p>Completeness — the attributions of an image sum to {@code f(x) − f(x')} for its target
 * logit — is reported in {@link Attribution#diagnostics()}: {@code ig.sum} (Σ attributions) and
 * {@code ig.delta} ({@code f(x) − f(x')}), each {@code [N][ranks]}. Their gap shrinks as steps
 * grow. Cost: 2 forward passes plus, per step, one forward and one backward per rank.
 */
public final class IntegratedGradients implements AttributionMethod {
    /** Diagnostics key: Σ of each map. */
    public static final String SUM = "ig.sum";
    /** Diagnostics key: f(x) − f(baseline) of each target logit. */
    public static final String DELTA = "ig.delta";

    private final Baseline baseline;
    private final int steps;
    private final Quadrature quadrature;
    private final int stepBatch;

    /** Defaults: zero baseline, 32 Gauss–Legendre steps, 16 per batch. */
    public IntegratedGradients() {
        this(Baseline.zeros(), 32, Quadrature.GAUSS_LEGENDRE, 16);
    }

    /**
     * @param baseline the reference input
     * @param steps points on the path, at least 1 (2 for the trapezoid rule)
     * @param quadrature how the points and weights are placed
     * @param stepBatch path points per image evaluated in one batch, at least 1
     */
    public IntegratedGradients(Baseline baseline, int steps, Quadrature quadrature, int stepBatch) {
        this.baseline = Objects.requireNonNull(baseline, "baseline");
        this.quadrature = Objects.requireNonNull(quadrature, "quadrature");
        quadrature.nodes(steps);
        if (stepBatch < 1) {
            throw new IllegalArgumentException("step batch must be at least 1, got " + stepBatch);
        }
        this.steps = steps;
        this.stepBatch = stepBatch;
    }

    @Override
    public String id() {
        return "integrated-gradients";
    }

    @Override
    public String description() {
        return "Integrated Gradients from a " + baseline.description() + " baseline, " + steps + " "
                + quadrature.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " steps";
    }

    @Override
    public java.util.List<ReluRule> rules() {
        return java.util.List.of(BuiltinRule.VANILLA);
    }

    @Override
    public Attribution attribute(CompiledModel model, Tensor input, Target target) {
        Tensor logits = model.forward(input);
        int[][] classes = target.resolve(logits);
        int n = input.shape().dim(0);
        int per = input.size() / n;
        int ranks = classes[0].length;
        int numClasses = logits.shape().dim(1);
        Tensor base = baseline.baselineFor(input);
        Tensor baseLogits = model.forward(base);
        double[] alpha = quadrature.nodes(steps);
        double[] weight = quadrature.weights(steps);
        double[][] integral = new double[ranks][n * per];
        for (int done = 0; done < steps; done += stepBatch) {
            int b = Math.min(stepBatch, steps - done);
            float[] path = new float[n * b * per];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < b; j++) {
                    double a = alpha[done + j];
                    int at = (i * b + j) * per;
                    for (int p = 0; p < per; p++) {
                        float x0 = base.data()[i * per + p];
                        path[at + p] = (float) (x0 + a * (input.data()[i * per + p] - x0));
                    }
                }
            }
            int[] dims = input.shape().dims();
            dims[0] = n * b;
            model.forward(Tensor.of(Shape.of(dims), path));
            int[][] expanded = MapMath.repeatRows(classes, b);
            for (int r = 0; r < ranks; r++) {
                float[] g = model.backward(ReluRuleMethod.oneHot(expanded, r, numClasses), BuiltinRule.VANILLA).data();
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < b; j++) {
                        double wj = weight[done + j];
                        int src = (i * b + j) * per;
                        for (int p = 0; p < per; p++) {
                            integral[r][i * per + p] += wj * g[src + p];
                        }
                    }
                }
            }
        }
        List<Tensor> maps = new ArrayList<>();
        double[][] sums = new double[n][ranks];
        double[][] deltas = new double[n][ranks];
        for (int r = 0; r < ranks; r++) {
            float[] out = new float[n * per];
            for (int q = 0; q < out.length; q++) {
                out[q] = (float) ((input.data()[q] - base.data()[q]) * integral[r][q]);
                sums[q / per][r] += out[q];
            }
            for (int i = 0; i < n; i++) {
                deltas[i][r] = (double) logits.data()[i * numClasses + classes[i][r]] - baseLogits.data()[i * numClasses + classes[i][r]];
            }
            maps.add(Tensor.of(input.shape(), out));
        }
        return new Attribution(id(), model.backendName(), logits, classes, maps, Map.of(SUM, sums, DELTA, deltas));
    }
}
