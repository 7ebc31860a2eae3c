package dev.backlight.densenet;

import dev.backlight.api.graph.Graph;
import dev.backlight.api.graph.GraphBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds DenseNet graphs with torchvision's module structure and state-dict names.
 *
 * <p>Every ReLU is a node, including the one after {@code features.norm5} that torchvision
 * applies as a function call ({@code F.relu}) and hook-based tools therefore miss; here it is the
 * node {@code features.relu5}. Each dense layer reads the concatenation of all earlier features
 * of its block (node {@code features.denseblockB.denselayerL.cat}).
 */
public final class DenseNet {
    private DenseNet() {
    }

    /** DenseNet-201 for 224×224 RGB input. */
    public static Graph densenet201() {
        return build(DenseNetConfig.DENSENET201, 224, 224);
    }

    /**
     * Builds the graph for a given input size.
     *
     * @param height input height (at least 32 for the four downsamplings... the stem and pools)
     * @param width input width
     */
    public static Graph build(DenseNetConfig config, int height, int width) {
        GraphBuilder g = new GraphBuilder(config.name(), 3, height, width);
        float eps = config.bnEps();
        int x = g.conv2d("features.conv0", 0, config.initFeatures(), 7, 2, 3, false);
        x = g.batchNorm("features.norm0", x, eps);
        x = g.relu("features.relu0", x);
        x = g.maxPool("features.pool0", x, 3, 2, 1);
        int[] blocks = config.blockLayers();
        for (int b = 0; b < blocks.length; b++) {
            String block = "features.denseblock" + (b + 1);
            List<Integer> features = new ArrayList<>();
            features.add(x);
            for (int l = 0; l < blocks[b]; l++) {
                String layer = block + ".denselayer" + (l + 1);
                int in = g.concat(layer + ".cat", features);
                int y = g.batchNorm(layer + ".norm1", in, eps);
                y = g.relu(layer + ".relu1", y);
                y = g.conv2d(layer + ".conv1", y, config.bnSize() * config.growthRate(), 1, 1, 0, false);
                y = g.batchNorm(layer + ".norm2", y, eps);
                y = g.relu(layer + ".relu2", y);
                y = g.conv2d(layer + ".conv2", y, config.growthRate(), 3, 1, 1, false);
                features.add(y);
            }
            x = g.concat(block + ".cat", features);
            if (b < blocks.length - 1) {
                String t = "features.transition" + (b + 1);
                int channels = g.shape(x).dim(0);
                x = g.batchNorm(t + ".norm", x, eps);
                x = g.relu(t + ".relu", x);
                x = g.conv2d(t + ".conv", x, channels / 2, 1, 1, 0, false);
                x = g.avgPool(t + ".pool", x, 2, 2, 0);
            }
        }
        x = g.batchNorm("features.norm5", x, eps);
        x = g.relu("features.relu5", x);
        x = g.globalAvgPool("avgpool", x);
        g.linear("classifier", x, config.numClasses(), true);
        return g.build();
    }
}
