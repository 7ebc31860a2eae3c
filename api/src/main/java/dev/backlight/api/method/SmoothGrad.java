package dev.backlight.api.method;

import dev.backlight.api.Shape;
import dev.backlight.api.Tensor;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.rule.ReluRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * SmoothGrad (Smilkov et al. 2017) around any base method: the base map averaged over noisy
 * copies of the input, {@code x + N(0, σ²)} with σ a fraction of each image's value range
 * (max − min). Variants: the mean ({@code smoothgrad}), the mean of squares
 * ({@code smoothgrad-squared}) and the variance ({@code vargrad}, Adebayo et al. 2018).
 *
 * <p>Targets are resolved once on the clean input and kept for every noisy copy. Samples are run
 * {@code sampleBatch} per image at a time, so the batch the model sees is N × sampleBatch.
 * Noise is seeded: the same settings give the same map. Cost: one forward on the clean input,
 * plus for every sample the base method's cost.
 */
public final class SmoothGrad implements AttributionMethod {
    /** How the samples are combined. */
    public enum Variant {
        MEAN("smoothgrad"), SQUARED("smoothgrad-squared"), VARIANCE("vargrad");

        private final String id;

        Variant(String id) {
            this.id = id;
        }

        /** The method id of this variant. */
        public String id() {
            return id;
        }
    }

    private final AttributionMethod base;
    private final Variant variant;
    private final double noiseLevel;
    private final int samples;
    private final int sampleBatch;
    private final long seed;

    /**
     * @param base the method whose maps are smoothed
     * @param variant mean, mean of squares or variance
     * @param noiseLevel σ as a fraction of each image's value range (0.15 is the paper's default); 0 gives the base map
     * @param samples noisy copies per image, at least 1
     * @param sampleBatch copies per image run in one batch, at least 1
     * @param seed noise seed
     */
    public SmoothGrad(AttributionMethod base, Variant variant, double noiseLevel, int samples, int sampleBatch, long seed) {
        this.base = Objects.requireNonNull(base, "base");
        this.variant = Objects.requireNonNull(variant, "variant");
        if (!(noiseLevel >= 0) || samples < 1 || sampleBatch < 1) {
            throw new IllegalArgumentException("SmoothGrad needs noise >= 0, samples >= 1 and sample batch >= 1; got "
                    + noiseLevel + ", " + samples + ", " + sampleBatch);
        }
        this.noiseLevel = noiseLevel;
        this.samples = samples;
        this.sampleBatch = sampleBatch;
        this.seed = seed;
    }

    /** SmoothGrad with defaults: σ = 0.15 of the range, 50 samples, 10 per batch, seed 0. */
    public static SmoothGrad smoothGrad(AttributionMethod base) {
        return new SmoothGrad(base, Variant.MEAN, 0.15, 50, 10, 0);
    }

    /** SmoothGrad² with the same defaults. */
    public static SmoothGrad squared(AttributionMethod base) {
        return new SmoothGrad(base, Variant.SQUARED, 0.15, 50, 10, 0);
    }

    /** VarGrad with the same defaults. */
    public static SmoothGrad varGrad(AttributionMethod base) {
        return new SmoothGrad(base, Variant.VARIANCE, 0.15, 50, 10, 0);
    }

    @Override
    public String id() {
        return variant.id();
    }

    @Override
    public String description() {
        return variant.id() + " of " + base.id() + " (noise " + noiseLevel + " of the range, " + samples + " samples)";
    }

    @Override
    public java.util.List<ReluRule> rules() {
        return base.rules();
    }

    @Override
    public java.util.Set<String> observedNodes() {
        return base.observedNodes();
    }

    @Override
    public Attribution attribute(CompiledModel model, Tensor input, Target target) {
        Tensor logits = model.forward(input);
        int[][] classes = target.resolve(logits);
        int n = input.shape().dim(0);
        int per = input.size() / n;
        int ranks = classes[0].length;
        float[][] range = MapMath.rangePerImage(input);
        double[][] sum = null;
        double[][] sumSq = null;
        Shape mapShape = null;
        for (int done = 0; done < samples; done += sampleBatch) {
            int b = Math.min(sampleBatch, samples - done);
            float[] noisy = new float[n * b * per];
            for (int i = 0; i < n; i++) {
                double sigma = noiseLevel * (range[i][1] - range[i][0]);
                for (int j = 0; j < b; j++) {
                    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + (long) (done + j) * 7919L + i);
                    int at = (i * b + j) * per;
                    for (int p = 0; p < per; p++) {
                        noisy[at + p] = (float) (input.data()[i * per + p] + (sigma == 0 ? 0 : sigma * gaussian(rnd)));
                    }
                }
            }
            int[] dims = input.shape().dims();
            dims[0] = n * b;
            Attribution a = base.attribute(model, Tensor.of(Shape.of(dims), noisy), Target.ranked(MapMath.repeatRows(classes, b)));
            if (sum == null) {
                int mapPer = a.map(0).size() / (n * b);
                sum = new double[ranks][n * mapPer];
                sumSq = new double[ranks][n * mapPer];
                int[] md = a.map(0).shape().dims();
                md[0] = n;
                mapShape = Shape.of(md);
            }
            int mapPer = sum[0].length / n;
            for (int r = 0; r < ranks; r++) {
                float[] m = a.map(r).data();
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < b; j++) {
                        int src = (i * b + j) * mapPer;
                        for (int p = 0; p < mapPer; p++) {
                            double v = m[src + p];
                            sum[r][i * mapPer + p] += v;
                            sumSq[r][i * mapPer + p] += v * v;
                        }
                    }
                }
            }
        }
        List<Tensor> maps = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            float[] out = new float[sum[r].length];
            for (int q = 0; q < out.length; q++) {
                double mean = sum[r][q] / samples;
                double meanSq = sumSq[r][q] / samples;
                out[q] = (float) (variant == Variant.MEAN ? mean : variant == Variant.SQUARED ? meanSq : Math.max(0, meanSq - mean * mean));
            }
            maps.add(Tensor.of(mapShape, out));
        }
        return new Attribution(id(), model.backendName(), logits, classes, maps);
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
