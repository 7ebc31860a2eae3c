package dev.backlight.cli;

import dev.backlight.MethodConfig;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.AttributionMethods;
import dev.backlight.api.method.GradCam;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of the configurable attribution methods, shared by {@code explain} and
 * {@code sanity}. An option that does not apply to the chosen method is a usage error rather than
 * silently ignored.
 */
public final class MethodOptions {
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
     * The method {@code id} configured by these options (through the library's {@link MethodConfig},
     * so the command line and applications configure methods alike).
     *
     * @param graph the model's graph, to check a Grad-CAM layer
     * @throws IllegalArgumentException for an unknown id, an option that does not apply or a bad value,
     *     naming the command-line option
     */
    public AttributionMethod build(String id, Graph graph) {
        Map<String, String> options = given();
        AttributionMethods.byId(id);
        for (String name : options.keySet()) {
            if (!MethodConfig.appliesTo(id, name)) {
                throw new IllegalArgumentException("--" + name + " does not apply to --method " + id);
            }
        }
        try {
            return MethodConfig.configure(id, options, graph);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage().replaceFirst("^option '([a-z-]+)'", "--$1")
                    .replaceFirst("^(layer|quadrature|baseline) ", "--$1 ");
            throw new IllegalArgumentException(message, e);
        }
    }

    /** The options given on the command line, by name without the dashes ({@code samples=20}), in a fixed order. */
    public Map<String, String> given() {
        Map<String, String> options = new LinkedHashMap<>();
        put(options, "samples", samples);
        put(options, "noise", noise);
        put(options, "sample-batch", sampleBatch);
        put(options, "base-method", baseMethod);
        put(options, "seed", seed);
        put(options, "steps", steps);
        put(options, "quadrature", quadrature);
        put(options, "baseline", baseline);
        put(options, "step-batch", stepBatch);
        put(options, "layer", layer);
        return options;
    }

    private static void put(Map<String, String> options, String name, Object value) {
        if (value != null) {
            options.put(name, value.toString());
        }
    }
}
