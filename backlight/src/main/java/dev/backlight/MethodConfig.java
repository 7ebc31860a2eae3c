package dev.backlight;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An attribution method by id, with options given by name: the configurable built-in methods'
 * settings as the command line and {@link Explainer.Builder#method(String, Map)} name them.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>methods</th><th>option</th><th>meaning (default)</th></tr>
 *   <tr><td>smoothgrad, smoothgrad-squared, vargrad</td><td>{@code samples}</td><td>noisy samples per image (50)</td></tr>
 *   <tr><td></td><td>{@code noise}</td><td>noise standard deviation as a fraction of each image's value range (0.15)</td></tr>
 *   <tr><td></td><td>{@code sample-batch}</td><td>samples per image run in one batch (10)</td></tr>
 *   <tr><td></td><td>{@code base-method}</td><td>the method whose maps are smoothed (gradient)</td></tr>
 *   <tr><td></td><td>{@code seed}</td><td>noise seed (0)</td></tr>
 *   <tr><td>integrated-gradients</td><td>{@code steps}</td><td>points on the path (32)</td></tr>
 *   <tr><td></td><td>{@code quadrature}</td><td>gauss-legendre, riemann-left, riemann-right, riemann-middle,
 *       riemann-trapezoid (gauss-legendre)</td></tr>
 *   <tr><td></td><td>{@code baseline}</td><td>zeros, black, blur[:SIGMA] or a float32 .npy file (zeros)</td></tr>
 *   <tr><td></td><td>{@code step-batch}</td><td>path points per image run in one batch (16)</td></tr>
 *   <tr><td>grad-cam, guided-grad-cam</td><td>{@code layer}</td><td>the feature-map node explained
 *       ({@value GradCam#DEFAULT_LAYER})</td></tr>
 * </table>
 *
 * <p>An option that does not apply to the method is an error, never silently ignored. Methods of
 * extensions take no options here (configure them with their own constructors and
 * {@link Explainer.Builder#method(AttributionMethod)}).
 */
public final class MethodConfig {
    private static final Set<String> SMOOTH = Set.of("smoothgrad", "smoothgrad-squared", "vargrad");
    private static final Set<String> CAM = Set.of("grad-cam", "guided-grad-cam");
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "smooth", Set.of("samples", "noise", "sample-batch", "base-method", "seed"),
            "integrated-gradients", Set.of("steps", "quadrature", "baseline", "step-batch"),
            "cam", Set.of("layer"));

    private MethodConfig() {
    }

    /** Every option name, for help texts. */
    public static List<String> optionNames() {
        return List.of("samples", "noise", "sample-batch", "base-method", "seed", "steps", "quadrature", "baseline",
                "step-batch", "layer");
    }

    /** Whether option {@code option} applies to method {@code id}. */
    public static boolean appliesTo(String id, String option) {
        return OPTIONS.getOrDefault(family(id), Set.of()).contains(option);
    }

    private static String family(String id) {
        return SMOOTH.contains(id) ? "smooth" : CAM.contains(id) ? "cam" : id;
    }

    /**
     * The method {@code id} with {@code options} applied.
     *
     * @param graph the model's graph, to check a Grad-CAM layer
     * @throws IllegalArgumentException for an unknown id, an option that does not apply, or a bad value
     */
    public static AttributionMethod configure(String id, Map<String, String> options, Graph graph) {
        AttributionMethod defaults = AttributionMethods.byId(id);
        Map<String, String> given = new LinkedHashMap<>(options);
        String family = family(id);
        Set<String> applicable = OPTIONS.getOrDefault(family, Set.of());
        for (String name : given.keySet()) {
            if (!applicable.contains(name)) {
                throw new IllegalArgumentException("option '" + name + "' does not apply to method " + id
                        + (applicable.isEmpty() ? " (it takes none)" : "; it takes " + String.join(", ", applicable.stream().sorted().toList())));
            }
        }
        if (family.equals("smooth")) {
            SmoothGrad.Variant variant = id.equals("smoothgrad") ? SmoothGrad.Variant.MEAN
                    : id.equals("smoothgrad-squared") ? SmoothGrad.Variant.SQUARED : SmoothGrad.Variant.VARIANCE;
            AttributionMethod base = AttributionMethods.byId(given.getOrDefault("base-method", "gradient"));
            return new SmoothGrad(base, variant, number(given, "noise", 0.15), integer(given, "samples", 50),
                    integer(given, "sample-batch", 10), longInteger(given, "seed", 0));
        }
        if (family.equals("integrated-gradients")) {
            return new IntegratedGradients(baseline(given.get("baseline")), integer(given, "steps", 32),
                    quadrature(given.get("quadrature")), integer(given, "step-batch", 16));
        }
        if (family.equals("cam")) {
            String node = given.getOrDefault("layer", GradCam.DEFAULT_LAYER);
            if (graph.nodes().stream().noneMatch(n -> n.name().equals(node) && n.shape().rank() == 3)) {
                throw new IllegalArgumentException("layer " + node + " is not a feature-map node of " + graph.name()
                        + " (e.g. features.relu5, features.denseblock3.cat, features.transition2.conv)");
            }
            return id.equals("grad-cam") ? new GradCam(node) : new GuidedGradCam(node);
        }
        return defaults;
    }

    private static int integer(Map<String, String> options, String name, int fallback) {
        return parsed(options, name, fallback, Integer::valueOf, "an integer");
    }

    private static long longInteger(Map<String, String> options, String name, long fallback) {
        return parsed(options, name, fallback, Long::valueOf, "an integer");
    }

    private static double number(Map<String, String> options, String name, double fallback) {
        return parsed(options, name, fallback, Double::valueOf, "a number");
    }

    /** The option's value parsed, or {@code fallback} when it is not given. */
    private static <T> T parsed(Map<String, String> options, String name, T fallback,
                                java.util.function.Function<String, T> parse, String what) {
        String v = options.get(name);
        try {
            return v == null ? fallback : parse.apply(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option '" + name + "' must be " + what + ", got '" + v + "'", e);
        }
    }

    private static Quadrature quadrature(String name) {
        if (name == null) {
            return Quadrature.GAUSS_LEGENDRE;
        }
        try {
            return Quadrature.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("quadrature '" + name
                    + "': give gauss-legendre, riemann-left, riemann-right, riemann-middle or riemann-trapezoid", e);
        }
    }

    private static Baseline baseline(String baseline) {
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
                    throw new IllegalArgumentException("baseline " + baseline + ": the blur sigma must be a number of pixels", e);
                }
            }
            return Baseline.blurred(sigma);
        }
        if (baseline.endsWith(".npy")) {
            Tensor fixed = Npy.read(Path.of(baseline));
            return Baseline.fixed(fixed);
        }
        throw new IllegalArgumentException("baseline " + baseline + ": give zeros, black, blur[:SIGMA] or FILE.npy");
    }
}
