package dev.backlight.cuda.conformance;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.OpConformance;

/** The shared Op conformance suite on the CUDA backend (skipped where it is unavailable). */
class CudaOpConformanceTest extends OpConformance {
    @Override
    protected Backend createBackend() {
        return CudaTestSupport.createOrSkip();
    }

    @Override
    protected boolean runsCustomRules() {
        return false;
    }
}
