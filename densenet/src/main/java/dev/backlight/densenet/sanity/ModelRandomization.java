package dev.backlight.densenet.sanity;

import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.backend.Backend;
import dev.backlight.api.backend.CompileOptions;
import dev.backlight.api.backend.CompiledModel;
import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.Parameter;
import dev.backlight.api.method.AttributionMethod;
import dev.backlight.api.method.Target;
import dev.backlight.densenet.RandomWeights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The model-parameter randomization test of Adebayo et al. (2018), "Sanity Checks for Saliency
 * Maps": re-initialise layers with random weights — cascading from the classifier down, or one
 * layer at a time — and measure how similar each map stays to the original one
 * ({@link MapSimilarity}: Spearman rank correlation of absolute and signed maps, SSIM, HOG).
 *
 * <p>Random weights come from {@link RandomWeights} (Kaiming-normal convolutions and classifier,
 * random batch-norm scale and shift); batch-norm running statistics are kept, so activations
 * stay in range. The target class of each image is the original model's and stays fixed.
 */
public final class ModelRandomization {
    /** How layers are randomized. */
    public enum Mode {
        /** Step k randomizes the top k+1 layers (the classifier first). */
        CASCADING,
        /** Step k randomizes layer k alone. */
        INDEPENDENT
    }

    private ModelRandomization() {
    }

    /**
     * DenseNet's layers at block granularity, top first: classifier, norm5, denseblock4,
     * transition3, …, denseblock1, and the stem (conv0 and norm0).
     */
    public static Map<String, List<String>> denseNetBlocks(Graph graph) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (Parameter p : graph.parameters()) {
            String name = p.name();
            String group;
            if (name.startsWith("classifier.")) {
                group = "classifier";
            } else if (name.startsWith("features.denseblock") || name.startsWith("features.transition") || name.startsWith("features.norm5")) {
                group = name.substring(0, name.indexOf('.', "features.".length()));
            } else {
                group = "features.stem";
            }
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(name);
        }
        List<String> order = new ArrayList<>(groups.keySet());
        java.util.Collections.reverse(order);
        Map<String, List<String>> topDown = new LinkedHashMap<>();
        for (String g : order) {
            topDown.put(g, groups.get(g));
        }
        return topDown;
    }

    /**
     * Runs the test.
     *
     * @param layers parameter names per layer, top layer first (e.g. {@link #denseNetBlocks})
     * @param progress told the index of each step as it starts (−1 for the original model)
     */
    public static SanityReport run(Backend backend, Graph graph, Weights weights, AttributionMethod method, Tensor input,
                                   Target target, Map<String, List<String>> layers, Mode mode, long seed, IntConsumer progress) {
        CompileOptions options = new CompileOptions(method.observedNodes());
        progress.accept(-1);
        Tensor original;
        int[][] classes;
        try (CompiledModel model = backend.compile(graph, weights, options)) {
            var a = method.attribute(model, input, target);
            original = a.map(0);
            classes = new int[a.batchSize()][];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = new int[] {a.targetClass(i, 0)};
            }
        }
        Map<String, Tensor> random = RandomWeights.generate(graph, seed).asMap();
        List<String> names = new ArrayList<>(layers.keySet());
        List<RandomizationStep> steps = new ArrayList<>();
        List<Tensor> maps = new ArrayList<>();
        for (int s = 0; s < names.size(); s++) {
            progress.accept(s);
            List<String> randomized = mode == Mode.CASCADING ? names.subList(0, s + 1) : List.of(names.get(s));
            Map<String, Tensor> tensors = new LinkedHashMap<>(weights.asMap());
            for (String layer : randomized) {
                for (String p : layers.get(layer)) {
                    if (!p.endsWith(".running_mean") && !p.endsWith(".running_var")) {
                        tensors.put(p, random.get(p));
                    }
                }
            }
            Tensor map;
            try (CompiledModel model = backend.compile(graph, Weights.of(tensors, weights.source() + " with random " + randomized), options)) {
                map = method.attribute(model, input, Target.ranked(classes)).map(0);
            }
            maps.add(map);
            steps.add(compare(names.get(s), randomized, original, map));
        }
        int[] targets = new int[classes.length];
        for (int i = 0; i < targets.length; i++) {
            targets[i] = classes[i][0];
        }
        return new SanityReport(method.id(), mode, targets, original, steps, maps);
    }

    static RandomizationStep compare(String name, List<String> randomized, Tensor original, Tensor map) {
        int n = original.shape().dim(0);
        int c = original.shape().dim(1);
        int h = original.shape().dim(2);
        int w = original.shape().dim(3);
        int per = c * h * w;
        double spearmanAbs = 0;
        double spearmanSigned = 0;
        double ssim = 0;
        double hog = 0;
        for (int i = 0; i < n; i++) {
            float[] a = java.util.Arrays.copyOfRange(original.data(), i * per, (i + 1) * per);
            float[] b = java.util.Arrays.copyOfRange(map.data(), i * per, (i + 1) * per);
            double[] absA = MapSimilarity.absolute(a, c);
            double[] absB = MapSimilarity.absolute(b, c);
            spearmanAbs += MapSimilarity.spearman(absA, absB);
            spearmanSigned += MapSimilarity.spearman(MapSimilarity.signed(a, c), MapSimilarity.signed(b, c));
            double[] unitA = MapSimilarity.unitRange(absA);
            double[] unitB = MapSimilarity.unitRange(absB);
            ssim += MapSimilarity.ssim(unitA, unitB, h, w);
            hog += MapSimilarity.pearson(MapSimilarity.hog(unitA, h, w), MapSimilarity.hog(unitB, h, w));
        }
        return new RandomizationStep(name, randomized, spearmanAbs / n, spearmanSigned / n, ssim / n, hog / n);
    }
}
