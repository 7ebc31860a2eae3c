package dev.backlight.densenet.sanity;

import java.util.List;

/**
 * One step of a model-randomization check and its outcome: which layers had random weights, and
 * how similar the map then was to the original one (means over the images).
 *
 * @param name the layer randomized at this step (cascading: this one and every one above it)
 * @param randomizedLayers all layers whose weights were random at this step
 * @param spearmanAbsolute rank correlation of the channel-summed absolute maps
 * @param spearmanSigned rank correlation of the channel-summed signed maps
 * @param ssim structural similarity of the absolute maps scaled to [0, 1]
 * @param hog Pearson correlation of the HOG descriptors of the absolute maps scaled to [0, 1]
 */
public record RandomizationStep(String name, List<String> randomizedLayers, double spearmanAbsolute, double spearmanSigned,
                                double ssim, double hog) {
    public RandomizationStep {
        randomizedLayers = List.copyOf(randomizedLayers);
    }
}
