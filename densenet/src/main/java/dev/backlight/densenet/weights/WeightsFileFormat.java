package dev.backlight.densenet.weights;

import dev.backlight.densenet.DenseNetConfig;

/**
 * The weights file formats {@link WeightsFiles} reads, found from a file's bytes, never its name.
 */
public enum WeightsFileFormat {
    /** safetensors with torchvision's state-dict names (the pretrained default). */
    SAFETENSORS("safetensors", DenseNetConfig.TORCHVISION_BN_EPS),
    /** A {@code torch.save} zip checkpoint (PyTorch 1.6 and later). */
    PYTORCH_ZIP("PyTorch checkpoint (zip)", DenseNetConfig.TORCHVISION_BN_EPS),
    /** A {@code torch.save} legacy checkpoint (before 1.6, or {@code _use_new_zipfile_serialization=False}). */
    PYTORCH_LEGACY("PyTorch checkpoint (legacy)", DenseNetConfig.TORCHVISION_BN_EPS),
    /** A Keras 2 HDF5 file ({@code save_weights('x.h5')}, {@code model.save('x.h5')}, keras.applications' ImageNet files). */
    KERAS_H5("Keras HDF5 (.h5)", DenseNetConfig.KERAS_BN_EPS),
    /** A Keras 3 weights file ({@code save_weights('x.weights.h5')}). */
    KERAS_WEIGHTS_H5("Keras 3 weights (.weights.h5)", DenseNetConfig.KERAS_BN_EPS),
    /** A Keras 3 model archive ({@code model.save('x.keras')}). */
    KERAS_ARCHIVE("Keras 3 archive (.keras)", DenseNetConfig.KERAS_BN_EPS);

    private final String description;
    private final float bnEps;

    WeightsFileFormat(String description, float bnEps) {
        this.description = description;
        this.bnEps = bnEps;
    }

    /** A short name for messages and reports, e.g. {@code PyTorch checkpoint (zip)}. */
    public String description() {
        return description;
    }

    /**
     * The batch-norm epsilon of the DenseNets saved in this format: torchvision's 1e-5 for
     * safetensors and PyTorch, {@code keras.applications}' 1.001e-5 for Keras.
     */
    public float bnEps() {
        return bnEps;
    }

    /** Whether the weights come from Keras (whose DenseNet ends in a softmax; maps are taken of the logit). */
    public boolean keras() {
        return bnEps == DenseNetConfig.KERAS_BN_EPS;
    }

    @Override
    public String toString() {
        return description;
    }
}
