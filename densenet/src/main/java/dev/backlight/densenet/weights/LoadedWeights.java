package dev.backlight.densenet.weights;

import dev.backlight.api.Tensor;
import dev.backlight.api.Weights;
import dev.backlight.api.WeightsFormatException;
import dev.backlight.densenet.DenseNetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link WeightsFiles#read} found in a file: float32 tensors under torchvision's names, the
 * format, the number of classes (rows of {@code classifier.weight}) and the batch-norm epsilon
 * the format implies. {@link #configure(DenseNetConfig)} turns a standard config into the one these
 * weights need:
 *
 * <pre>{@code
 * LoadedWeights w = WeightsFiles.read(path);
 * DenseNetConfig config = w.configure(DenseNetConfig.DENSENET201);   // classes and epsilon applied
 * Graph graph = DenseNet.build(config, 224, 224);
 * CompiledModel model = backend.compile(graph, w.weights());
 * }</pre>
 *
 * Immutable and safe to share between threads.
 */
public final class LoadedWeights {
    private final Weights weights;
    private final WeightsFileFormat format;
    private final int numClasses;
    private final DenseNetConfig architecture;

    LoadedWeights(Weights weights, WeightsFileFormat format) {
        this.weights = weights;
        this.format = format;
        Tensor classifier = weights.asMap().get("classifier.weight");
        if (classifier == null || classifier.shape().rank() != 2) {
            throw new WeightsFormatException(weights.source() + " (" + format + ") has no classifier.weight of two"
                    + " dimensions (found " + (classifier == null ? "none" : classifier.shape().toString())
                    + ") among " + describeNames(weights) + "; is it a DenseNet with its classifier?");
        }
        this.numClasses = classifier.shape().dim(0);
        this.architecture = infer(weights, numClasses, format.bnEps());
    }

    /** The tensors, float32, named as torchvision's DenseNet state dict. */
    public Weights weights() {
        return weights;
    }

    /** The format the file was in. */
    public WeightsFileFormat format() {
        return format;
    }

    /** The number of classes: the rows of {@code classifier.weight} (1000 for ImageNet, K when fine-tuned). */
    public int numClasses() {
        return numClasses;
    }

    /** The batch-norm epsilon of the format: 1e-5 (torchvision) or 1.001e-5 (Keras). */
    public float bnEps() {
        return format.bnEps();
    }

    /**
     * The DenseNet these tensors describe, told from their shapes (growth from a dense layer's
     * second convolution, blocks from the dense layers present, stem width, bottleneck width,
     * classes, the format's epsilon), named as the standard config it matches
     * ({@code densenet121}, ...) or {@code densenet}; empty when names or shapes are missing.
     */
    public Optional<DenseNetConfig> architecture() {
        return Optional.ofNullable(architecture);
    }

    /**
     * {@code base} with these weights' number of classes and batch-norm epsilon.
     *
     * @throws WeightsFormatException if the weights describe another DenseNet than {@code base}
     *     (other blocks, growth or widths), naming the config that fits
     */
    public DenseNetConfig configure(DenseNetConfig base) {
        if (architecture != null && !architecture.sameFeatures(base)) {
            throw new WeightsFormatException(weights.source() + " holds " + architecture + ", not " + base.name()
                    + " (" + base + ")" + (architecture.name().equals("densenet") ? ""
                            : ": choose the model " + architecture.name()));
        }
        return base.withNumClasses(numClasses).withBnEps(format.bnEps());
    }

    private static DenseNetConfig infer(Weights w, int classes, float eps) {
        Tensor conv0 = w.asMap().get("features.conv0.weight");
        Tensor conv1 = w.asMap().get("features.denseblock1.denselayer1.conv1.weight");
        Tensor conv2 = w.asMap().get("features.denseblock1.denselayer1.conv2.weight");
        if (conv0 == null || conv1 == null || conv2 == null || conv0.shape().rank() != 4 || conv2.shape().rank() != 4
                || conv1.shape().rank() != 4) {
            return null;
        }
        int growth = conv2.shape().dim(0);
        int bottleneck = conv1.shape().dim(0);
        if (growth < 1 || bottleneck % growth != 0) {
            return null;
        }
        List<Integer> blocks = new ArrayList<>();
        for (int b = 1; w.contains("features.denseblock" + b + ".denselayer1.conv1.weight"); b++) {
            int layers = 0;
            while (w.contains("features.denseblock" + b + ".denselayer" + (layers + 1) + ".conv1.weight")) {
                layers++;
            }
            blocks.add(layers);
        }
        int[] blockLayers = blocks.stream().mapToInt(Integer::intValue).toArray();
        DenseNetConfig found;
        try {
            found = new DenseNetConfig("densenet", growth, blockLayers, conv0.shape().dim(0), bottleneck / growth,
                    classes, eps);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (DenseNetConfig standard : new DenseNetConfig[] {DenseNetConfig.DENSENET121, DenseNetConfig.DENSENET161,
            DenseNetConfig.DENSENET169, DenseNetConfig.DENSENET201}) {
            if (standard.sameFeatures(found)) {
                return standard.withNumClasses(classes).withBnEps(eps);
            }
        }
        return found;
    }

    private static String describeNames(Weights w) {
        List<String> names = new ArrayList<>(w.names());
        if (names.isEmpty()) {
            return "no tensors";
        }
        List<String> first = names.subList(0, Math.min(3, names.size()));
        return names.size() + " tensors (" + String.join(", ", first) + (names.size() > 3 ? ", ..." : "") + ")";
    }

    @Override
    public String toString() {
        return weights.source() + " (" + format + ", " + numClasses + " classes)";
    }
}
