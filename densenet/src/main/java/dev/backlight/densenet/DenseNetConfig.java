package dev.backlight.densenet;

import java.util.Arrays;
import java.util.Locale;

/**
 * The hyper-parameters that define a DenseNet (Huang et al. 2017) as torchvision builds it.
 *
 * @param name e.g. {@code densenet201}
 * @param growthRate channels each dense layer adds
 * @param blockLayers number of dense layers in each of the four blocks
 * @param initFeatures channels of the stem convolution
 * @param bnSize bottleneck width multiplier (bottleneck has {@code bnSize · growthRate} channels)
 * @param numClasses classifier outputs
 * @param bnEps batch-norm epsilon
 */
public record DenseNetConfig(String name, int growthRate, int[] blockLayers, int initFeatures, int bnSize,
                             int numClasses, float bnEps) {

    /** DenseNet-121: growth 32, blocks (6, 12, 24, 16), 64 initial features. */
    public static final DenseNetConfig DENSENET121 = imagenet("densenet121", 32, new int[] {6, 12, 24, 16}, 64);
    /** DenseNet-161: growth 48, blocks (6, 12, 36, 24), 96 initial features. */
    public static final DenseNetConfig DENSENET161 = imagenet("densenet161", 48, new int[] {6, 12, 36, 24}, 96);
    /** DenseNet-169: growth 32, blocks (6, 12, 32, 32), 64 initial features. */
    public static final DenseNetConfig DENSENET169 = imagenet("densenet169", 32, new int[] {6, 12, 32, 32}, 64);
    /** DenseNet-201: growth 32, blocks (6, 12, 48, 32), 64 initial features. */
    public static final DenseNetConfig DENSENET201 = imagenet("densenet201", 32, new int[] {6, 12, 48, 32}, 64);

    /** torchvision's batch-norm epsilon ({@code nn.BatchNorm2d}'s default). */
    public static final float TORCHVISION_BN_EPS = 1e-5f;

    /** The batch-norm epsilon of {@code keras.applications.densenet}. */
    public static final float KERAS_BN_EPS = 1.001e-5f;

    /**
     * @throws IllegalArgumentException unless the sizes are positive, there is a block, every block
     *     has a layer, and the epsilon is positive and finite
     */
    public DenseNetConfig {
        blockLayers = blockLayers.clone();
        if (growthRate < 1 || initFeatures < 1 || bnSize < 1 || numClasses < 1 || blockLayers.length == 0
                || Arrays.stream(blockLayers).anyMatch(n -> n < 1) || !(bnEps > 0) || Float.isInfinite(bnEps)) {
            throw new IllegalArgumentException("invalid DenseNet config " + name + ": growth " + growthRate
                    + ", blocks " + Arrays.toString(blockLayers) + ", init " + initFeatures + ", bnSize " + bnSize
                    + ", classes " + numClasses + ", eps " + bnEps);
        }
    }

    /**
     * This network with another classifier width, e.g. for a fine-tuned checkpoint.
     *
     * @throws IllegalArgumentException unless {@code classes} is positive
     */
    public DenseNetConfig withNumClasses(int classes) {
        return new DenseNetConfig(name, growthRate, blockLayers, initFeatures, bnSize, classes, bnEps);
    }

    /**
     * This network with another batch-norm epsilon, e.g. {@link #KERAS_BN_EPS} for Keras weights.
     *
     * @throws IllegalArgumentException unless {@code eps} is positive and finite
     */
    public DenseNetConfig withBnEps(float eps) {
        return new DenseNetConfig(name, growthRate, blockLayers, initFeatures, bnSize, numClasses, eps);
    }

    /** Whether the two have the same layers and widths (growth, blocks, stem, bottleneck), whatever their classifier and epsilon. */
    public boolean sameFeatures(DenseNetConfig other) {
        return growthRate == other.growthRate && Arrays.equals(blockLayers, other.blockLayers)
                && initFeatures == other.initFeatures && bnSize == other.bnSize;
    }

    private static DenseNetConfig imagenet(String name, int growth, int[] blocks, int init) {
        return new DenseNetConfig(name, growth, blocks, init, 4, 1000, TORCHVISION_BN_EPS);
    }

    /** The standard config of this name ({@code densenet121|161|169|201}). */
    public static DenseNetConfig byName(String name) {
        switch (name.toLowerCase(Locale.ROOT).replace("-", "")) {
            case "densenet121": return DENSENET121;
            case "densenet161": return DENSENET161;
            case "densenet169": return DENSENET169;
            case "densenet201": return DENSENET201;
            default: throw new IllegalArgumentException("unknown DenseNet '" + name + "'; known: densenet121, densenet161, densenet169, densenet201");
        }
    }

    /** Number of channels entering the classifier. */
    public int finalFeatures() {
        int c = initFeatures;
        for (int b = 0; b < blockLayers.length; b++) {
            c += blockLayers[b] * growthRate;
            if (b < blockLayers.length - 1) {
                c /= 2;
            }
        }
        return c;
    }

    /** Number of ReLUs in the network: stem, two per dense layer, one per transition, the final one. */
    public int reluCount() {
        return 1 + 2 * Arrays.stream(blockLayers).sum() + (blockLayers.length - 1) + 1;
    }

    @Override
    public int[] blockLayers() {
        return blockLayers.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseNetConfig c && c.name.equals(name) && c.growthRate == growthRate
                && Arrays.equals(c.blockLayers, blockLayers) && c.initFeatures == initFeatures && c.bnSize == bnSize
                && c.numClasses == numClasses && c.bnEps == bnEps;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(blockLayers);
    }

    @Override
    public String toString() {
        return name + "(growth " + growthRate + ", blocks " + Arrays.toString(blockLayers) + ", init " + initFeatures
                + (bnSize != 4 ? ", bnSize " + bnSize : "") + (numClasses != 1000 ? ", " + numClasses + " classes" : "")
                + (bnEps != TORCHVISION_BN_EPS ? ", eps " + bnEps : "") + ")";
    }
}
