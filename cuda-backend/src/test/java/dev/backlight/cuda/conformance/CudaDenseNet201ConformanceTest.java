package dev.backlight.cuda.conformance;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.DenseNet201Conformance;

/** The shared DenseNet201 conformance suite on the CUDA backend (skipped where it is unavailable). */
class CudaDenseNet201ConformanceTest extends DenseNet201Conformance {
    @Override
    protected Backend createBackend() {
        return CudaTestSupport.createOrSkip();
    }
}
