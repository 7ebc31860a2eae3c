package dev.backlight.cuda.conformance;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.MethodConformance;

/** The shared Method conformance suite on the CUDA backend (skipped where it is unavailable). */
class CudaMethodConformanceTest extends MethodConformance {
    @Override
    protected Backend createBackend() {
        return CudaTestSupport.createOrSkip();
    }

    @Override
    protected double sameImagesAcrossBatchSizes() {
        return CudaTestSupport.ACROSS_BATCH_SIZES;
    }
}
