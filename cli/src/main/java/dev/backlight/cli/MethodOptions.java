package dev.backlight.cli;

import dev.backlight.api.Tensor;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.io.Npy;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.Baseline;
import dev.backlight.api.method.GradCam;
import dev.backlight.api.method.GuidedGradCam;
import dev.backlight.api.method.IntegratedGradients;
import dev.backlight.api.method.Quadrature;
import dev.backlight.api.method.SmoothGrad;
import dev.backlight.densenet.imagenet.ImageNetPreprocessor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The options of the configurable attribution methods, shared by {@code explain} and
 * {@code sanity}. An option that does not apply to the chosen method is a usage error rather than
 * silently ignored.
 */
final class MethodOptions {
    @Option(names = "--samples", paramLabel = "N",
            description = "smoothgrad, smoothgrad-squared, vargrad: noisy samples per image (default 50).")
    Integer samples;

    @Option(names = "--noise", paramLabel = "SIGMA",
            description = "smoothgrad family: noise standard deviation as a fraction of each image's value range (default 0.15).")
    Double noise;

    @Option(names = "--sample-batch", paramLabel = "N",
            description = "smoothgrad family: samples per image run in one batch (default 10).")
    Integer sampleBatch;

    @Option(names = "--base-method", paramLabel = "ID",
            description = "smoothgrad family: the method whose maps are smoothed (default gradient).")
    String baseMethod;

    @Option(names = "--seed", paramLabel = "N", description = "smoothgrad family: noise seed (default 0).")
    Long seed;

    @Option(names = "--steps", paramLabel = "M", description = "integrated-gradients: points on the path (default 32).")
    Integer steps;

    @Option(names = "--quadrature", paramLabel = "RULE",
            description = "integrated-gradients: gauss-legendre (default), riemann-left, riemann-right, riemann-middle, riemann-trapezoid.")
    String quadrature;

    @Option(names = "--baseline", paramLabel = "B",
            description = "integrated-gradients: zeros (default; the mean colour), black, blur[:SIGMA] (default sigma 5 px),"
                    + " or a float32 .npy [1|N,3,H,W] in model-input space.")
    String baseline;

    @Option(names = "--step-batch", paramLabel = "N",
            description = "integrated-gradients: path points per image run in one batch (default 16).")
    Integer stepBatch;

    @Option(names = "--layer", paramLabel = "NODE",
            description = "grad-cam, guided-grad-cam: the graph node explained (default " + GradCam.DEFAULT_LAYER + ").")
    String layer;

    /**
     * The method {@code id} configured by these options.
     *
     * @param graph the model's graph, to check a Grad-CAM layer
     * @throws IllegalArgumentException for an unknown id, an option that does not apply or a bad value
     */
    AttributionMethod build(String id, Graph graph) {
        List<String> given = new ArrayList<>();
        boolean smooth = id.equals("smoothgrad") || id.equals("smoothgrad-squared") || id.equals("vargrad");
        boolean ig = id.equals("integrated-gradients");
        boolean cam = id.equals("grad-cam") || id.equals("guided-grad-cam");
        check(!smooth, samples, "--samples", id);
        check(!smooth, noise, "--noise", id);
        check(!smooth, sampleBatch, "--sample-batch", id);
        check(!smooth, baseMethod, "--base-method", id);
        check(!smooth, seed, "--seed", id);
        check(!ig, steps, "--steps", id);
        check(!ig, quadrature, "--quadrature", id);
        check(!ig, baseline, "--baseline", id);
        check(!ig, stepBatch, "--step-batch", id);
        check(!cam, layer, "--layer", id);
        AttributionMethod defaults = AttributionMethods.byId(id);
        if (smooth) {
            SmoothGrad.Variant variant = id.equals("smoothgrad") ? SmoothGrad.Variant.MEAN
                    : id.equals("smoothgrad-squared") ? SmoothGrad.Variant.SQUARED : SmoothGrad.Variant.VARIANCE;
            AttributionMethod base = AttributionMethods.byId(baseMethod == null ? "gradient" : baseMethod);
            return new SmoothGrad(base, variant, noise == null ? 0.15 : noise, samples == null ? 50 : samples,
                    sampleBatch == null ? 10 : sampleBatch, seed == null ? 0 : seed);
        }
        if (ig) {
            return new IntegratedGradients(baseline(), steps == null ? 32 : steps, quadrature(), stepBatch == null ? 16 : stepBatch);
        }
        if (cam) {
            String node = layer == null ? GradCam.DEFAULT_LAYER : layer;
            if (graph.nodes().stream().noneMatch(n -> n.name().equals(node) && n.shape().rank() == 3)) {
                throw new IllegalArgumentException("--layer " + node + " is not a feature-map node of " + graph.name()
                        + " (e.g. features.relu5, features.denseblock3.cat, features.transition2.conv)");
            }
            return id.equals("grad-cam") ? new GradCam(node) : new GuidedGradCam(node);
        }
        return defaults;
    }

    private static void check(boolean notApplicable, Object value, String option, String id) {
        if (notApplicable && value != null) {
            throw new IllegalArgumentException(option + " does not apply to --method " + id);
        }
    }

    private Quadrature quadrature() {
        if (quadrature == null) {
            return Quadrature.GAUSS_LEGENDRE;
        }
        try {
            return Quadrature.valueOf(quadrature.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--quadrature " + quadrature
                    + ": give gauss-legendre, riemann-left, riemann-right, riemann-middle or riemann-trapezoid", e);
        }
    }

    private Baseline baseline() {
        if (baseline == null || baseline.equals("zeros")) {
            return Baseline.zeros();
        }
        if (baseline.equals("black")) {
            float[] mean = new float[3];
            float[] std = new float[3];
            for (int c = 0; c < 3; c++) {
                mean[c] = ImageNetPreprocessor.mean(c);
                std[c] = ImageNetPreprocessor.std(c);
            }
            return Baseline.black(mean, std);
        }
        if (baseline.equals("blur") || baseline.startsWith("blur:")) {
            double sigma = 5;
            if (baseline.startsWith("blur:")) {
                try {
                    sigma = Double.parseDouble(baseline.substring(5));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--baseline " + baseline + ": the blur sigma must be a number of pixels", e);
                }
            }
            return Baseline.blurred(sigma);
        }
        if (baseline.endsWith(".npy")) {
            Tensor fixed = Npy.read(Path.of(baseline));
            return Baseline.fixed(fixed);
        }
        throw new IllegalArgumentException("--baseline " + baseline + ": give zeros, black, blur[:SIGMA] or FILE.npy");
    }
}
