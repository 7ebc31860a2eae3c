package dev.backlight.cuda.conformance;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.DenseNet201Conformance;

/**
 * The shared DenseNet-201 conformance suite on the CUDA backend (skipped where it is unavailable).
 * The backend runs only the built-in ReLU rules; a batch of another size may round an image
 * differently in cuBLAS/cuDNN kernels chosen by problem size, hence 1e-5 across batch sizes.
 */
class CudaDenseNet201ConformanceTest extends DenseNet201Conformance {
    @Override
    protected Backend createBackend() {
        return CudaTestSupport.createOrSkip();
    }

    @Override
    protected boolean runsCustomRules() {
        return false;
    }

    @Override
    protected double sameImagesAcrossBatchSizes() {
        return CudaTestSupport.ACROSS_BATCH_SIZES;
    }
}
