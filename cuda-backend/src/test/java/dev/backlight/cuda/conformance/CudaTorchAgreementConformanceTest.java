package dev.backlight.cuda.conformance;

import dev.backlight.api.backend.Backend;
import dev.backlight.conformance.TorchAgreementConformance;

/** The shared TorchAgreement conformance suite on the CUDA backend (skipped where it is unavailable). */
class CudaTorchAgreementConformanceTest extends TorchAgreementConformance {
    @Override
    protected Backend createBackend() {
        return CudaTestSupport.createOrSkip();
    }
}
